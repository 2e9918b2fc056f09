"""The assistant's brain for one message: triage first, then the school's policy.

`Assistant.answer(question, school_slug)` is pure, synchronous and fast; every channel
(Teams, Slack, the terminal, `app.py ask`) calls it and renders the `Answer` it returns.

Safety rule above all: `bot.triage.classify` runs FIRST. A message that looks like a
child's disclosure, an online-safety incident or a concern about an adult gets an answer of
that kind, which starts the reporting flow, and never any FAQ content.

Honesty rule: the bot only says what the school's own policy says. A curated school gets
the catalog's verdict and summary; a school nobody curated (an ingested policy) gets the
clauses retrieved for the question quoted under "Your policy says:", with a verdict read from
the clause's own wording only where that is plainly honest (otherwise `info`);
when the policy is silent the reply says so and names who to ask.
"""

from __future__ import annotations

import re
from typing import Any

from bot import triage
from bot.conversation.answers import CONFIRM_PROMPT, TENTATIVE_SUMMARY, VERDICT_LABELS, Answer, Choice, QuotedClause
from knowledge.matcher import MAX_QUESTION_CHARS, Matcher, MatchResult
from knowledge.modality import clause_verdict
from knowledge.normalise import normalise

ENGLISH_SHARE = 0.34  # below this share of recognised words, the question is probably not English
EXAMPLE_QUESTION = "can I accept a friend request from a parent?"
PERMISSION_QUESTION = re.compile(
    r"\b(?:can|may|could) (?:i|we|staff|you|teachers?|parents?|pupils?)\b|\b(?:am i|are we|are staff|is it) "
    r"(?:allowed|permitted|ok|okay|alright|acceptable|fine)\b|\bis it (?:against|ok to|okay to)\b|\ballowed to\b",
    re.IGNORECASE,
)


class UnknownSchool(KeyError):
    """The slug names no school the assistant knows; `known` lists the ones it does."""

    def __init__(self, slug: str, known: list[str]):
        super().__init__(slug)
        self.slug, self.known = slug, known

    def __str__(self) -> str:
        return f"unknown school {self.slug!r}; known schools: {', '.join(self.known) or '(none)'}"


class Assistant:
    def __init__(self, catalog, policies: dict[str, Any], matcher: Matcher | None = None):
        self.catalog = catalog
        self.policies = dict(policies)
        self.matcher = matcher or Matcher(catalog, self.policies)
        self._intent_kinds: dict[str, str] = {}  # intent -> 'info' | 'verdict' (see _intent_kind)

    @classmethod
    def default(cls, extra_policies: dict[str, Any] | None = None) -> Assistant:
        """The bundled schools (plus any given, e.g. ingested ones) with the shipped catalog."""
        from knowledge.catalog import load_catalog
        from knowledge.policy_file import bundled_policies

        policies = {**bundled_policies(), **(extra_policies or {})}
        return cls(load_catalog(), policies)

    def add_policy(self, policy) -> None:
        """A newly ingested school is answerable from the next message on."""
        self.policies[policy.slug] = policy
        self.matcher.add_policy(policy)

    @property
    def schools(self) -> list[str]:
        return sorted(self.policies)

    # ---- the one entry point ---------------------------------------------------------
    def answer(self, question: str, school_slug: str, verdict: triage.Triage | None = None) -> Answer:
        """`verdict`: the caller's own `triage.classify(question)`, when it has already run it
        (the turn loop does, before anything else); never answered without one."""
        policy = self._policy(school_slug)
        question = question if isinstance(question, str) else ""
        verdict = verdict or triage.classify(question)
        if verdict.kind == "confirm":
            return self._confirm(question, policy, verdict)
        if verdict.kind != "question":
            return self._report(question, policy, verdict)
        if not re.search(r"[^\W_]", question):
            return self._fallback(
                question, policy, f'Please type your question in words, for example: "{EXAMPLE_QUESTION}"'
            )
        match = self.matcher.match(question, school_slug)
        if match.kind == "fallback" and verdict.may_concern_child:
            return self._fallback(question, policy, self._silent_about_a_child(policy), ask=self._dsl(policy))
        if match.kind == "fallback" and match.understood < ENGLISH_SHARE:
            return self._fallback(
                question,
                policy,
                "Sorry, I didn't understand that. I can answer questions in "
                f"English about {policy.name}'s {policy.policy_title}, for example: "
                f'"{EXAMPLE_QUESTION}" Otherwise, please ask {policy.ask}.',
            )
        return self._from_match(question, policy, match)

    def answer_intent(self, question: str, school_slug: str, intent_id: str) -> Answer:
        """The answer for an intent the user picked from a "Did you mean" choice."""
        policy = self._policy(school_slug)
        clauses, mapping, curated = self.matcher.clauses_for(school_slug, intent_id, question)
        from knowledge.matcher import IntentCandidate

        match = MatchResult(
            "answer",
            (IntentCandidate(intent_id, 100.0),),
            tuple(clauses),
            mapping,
            curated,
            silent=not clauses,
            understood=1.0,
        )
        return self._from_match(question, policy, match)

    # ---- kinds of answer ---------------------------------------------------------------
    def _policy(self, slug: str):
        if slug not in self.policies or slug not in self.matcher.schools:
            raise UnknownSchool(slug, self.schools)
        return self.policies[slug]

    def _base(self, question: str, policy, **fields) -> Answer:
        return Answer(
            question=question,
            school_slug=policy.slug,
            school_name=policy.name,
            policy_title=policy.policy_title,
            **fields,
        )

    def _report(self, question: str, policy, verdict) -> Answer:
        roles = policy.roles or {}
        dsl = roles.get("dsl", "Designated Safeguarding Lead")
        if verdict.kind == "disclosure":
            reply = (
                f"This sounds like a child may be at risk. I'll help you report it to the {dsl} now. "
                "If a child is in immediate danger, call 999 first. Don't promise to keep it secret "
                "and don't investigate; write down what the child said in their own words."
            )
            ask = f"the {dsl}"
        elif verdict.kind == "incident":
            reply = (
                f"This sounds like an online-safety incident. I'll help you report it to the {dsl} now. "
                "Don't view, copy or forward any images; keep the device safe."
            )
            ask = f"the {dsl}"
        else:
            head = roles.get("head", "Headteacher")
            chair = roles.get("chair", "Chair of Governors")
            reply = (
                f"This sounds like a concern about an adult who works with children. I'll help you "
                f"report it to the {head} (the {chair} if it is about the {head}). "
                "Don't investigate or tell the person concerned."
            )
            ask = f"the {head}"
        if verdict.urgent:
            reply = "If anyone is in immediate danger, call 999 now. " + reply
        return self._base(question, policy, kind=verdict.kind, reply=reply, ask=ask)

    @staticmethod
    def _dsl(policy) -> str:
        return f"the {(policy.roles or {}).get('dsl', 'Designated Safeguarding Lead')}"

    def _confirm(self, question: str, policy, verdict) -> Answer:
        """Triage is unsure whether this is about a child's safety: ask, never guess."""
        dsl = (policy.roles or {}).get("dsl", "Designated Safeguarding Lead")
        reply = CONFIRM_PROMPT.format(dsl=dsl) + "\n1. Report a concern\n2. It's a policy question"
        return self._base(
            question,
            policy,
            kind="confirm",
            reply=reply,
            ask=self._dsl(policy),
            choices=(
                Choice(verdict.likely or "disclosure", "Report a concern"),
                Choice(None, "It's a policy question"),
            ),
        )

    def _silent_about_a_child(self, policy) -> str:
        """The policy is silent, but the message may be about a child: offer the report, name the DSL."""
        return (
            f"I couldn't find that in {policy.name}'s {policy.policy_title}. If this is about a child's "
            f"safety, type 'report a concern' or speak to {self._dsl(policy)} today."
        )

    def _fallback(self, question: str, policy, reply: str, intent: str | None = None, ask: str = "") -> Answer:
        return self._base(question, policy, kind="fallback", reply=reply, intent=intent, ask=ask or policy.ask)

    def _who_to_ask(self, policy, intent_id: str | None) -> str:
        intent = self.catalog.intents.get(intent_id) if intent_id else None
        role = getattr(intent, "ask_role", None)
        name = (policy.roles or {}).get(role) if role else None
        return f"the {name}" if name else policy.ask

    def _from_match(self, question: str, policy, match: MatchResult) -> Answer:
        quoted = tuple(
            QuotedClause(c.clause.id, c.clause.section, c.clause.text, c.score, c.clause.lead_in) for c in match.clauses
        )
        if match.kind == "fallback":
            return self._fallback(
                question,
                policy,
                f"I couldn't find anything about that in {policy.name}'s {policy.policy_title}. "
                f"Please ask {policy.ask}.",
            )
        top = match.intents[0].intent if match.intents else None
        if match.kind == "clarify":
            options = [c.intent for c in match.intents[:2]]
            choices = tuple(Choice(i, self.catalog.intents[i].question) for i in options) + (
                Choice(None, "None of these"),
            )
            lines = ["Did you mean:"] + [f"{n}. {c.label}" for n, c in enumerate(choices, 1)]
            return self._base(
                question,
                policy,
                kind="clarify",
                reply="\n".join(lines),
                intent=top,
                clauses=quoted,
                choices=choices,
                ask=self._who_to_ask(policy, top),
            )
        ask = self._who_to_ask(policy, top)
        if top and not quoted:
            title = self.catalog.intents[top].title
            return self._fallback(
                question,
                policy,
                f"{policy.name}'s {policy.policy_title} doesn't say anything about this "
                f"({title.lower()}). Please ask {ask}.",
                intent=top,
                ask=ask,
            )
        if match.mapping is not None:
            verdict, summary = match.mapping.verdict, match.mapping.summary.strip()
        elif match.tentative:
            verdict, summary = "info", TENTATIVE_SUMMARY
        else:
            title = policy.policy_title if policy.policy_title.strip().lower() != "policy" else "school's policy"
            verdict = (
                self._clause_verdict(question, quoted)
                if top is None
                else self._uncurated_verdict(question, policy, top, quoted)
            )
            summary = f"Your {title} says:"
        reply = self._reply(verdict, summary, quoted, ask)
        return self._base(
            question,
            policy,
            kind="answer",
            reply=reply,
            intent=top,
            verdict=verdict,
            summary=summary,
            clauses=quoted,
            ask=ask,
        )

    def _uncurated_verdict(self, question: str, policy, intent: str | None, quoted) -> str:
        """A verdict for a clause nobody curated, read from its own wording (knowledge.modality),
        given only when it is honest: the question asks whether something is allowed (not what
        to do after it happened), curated schools answer this intent with a verdict rather than
        information, and the clause plainly reads as this intent. Otherwise `info`."""
        if not intent or not quoted or "whattodo" in normalise(question[:MAX_QUESTION_CHARS]).split():
            return "info"
        if self._intent_kind(intent) == "info":
            return "info"
        best = quoted[0]
        if not self.matcher.reads_as(policy.slug, best.id, intent):
            return "info"
        return clause_verdict(f"{best.lead_in} {best.text}" if best.lead_in else best.text)

    @staticmethod
    def _clause_verdict(question: str, quoted) -> str:
        """No intent: a verdict from the clause's own wording, only when the question asks
        whether something is allowed ("can I", "am I allowed", "is it ok")."""
        if not quoted or not PERMISSION_QUESTION.search(question[:MAX_QUESTION_CHARS]):
            return "info"
        best = quoted[0]
        return clause_verdict(f"{best.lead_in} {best.text}" if best.lead_in else best.text)

    def _intent_kind(self, intent: str) -> str:
        """'info' when the curated schools mostly answer this intent with information (who to
        tell, what happens), 'verdict' when they mostly say yes/no/it depends."""
        cached = self._intent_kinds.get(intent)
        if cached is None:
            verdicts = [
                m.verdict
                for s in getattr(self.catalog, "curated_schools", lambda: ())()
                if (m := self.catalog.mapping(s, intent)) is not None
            ]
            cached = "info" if not verdicts or 2 * verdicts.count("info") >= len(verdicts) else "verdict"
            self._intent_kinds[intent] = cached
        return cached

    @staticmethod
    def _reply(verdict: str, summary: str, quoted: tuple[QuotedClause, ...], ask: str) -> str:
        label = VERDICT_LABELS.get(verdict, "")
        first = summary if verdict == "info" or summary.lower().startswith(label.lower()) else f"{label}. {summary}"
        lines = [first]
        best = quoted[0] if quoted else None
        if best is not None:
            text = f"{best.lead_in} … {best.text}" if best.lead_in else best.text
            lines.append(f"“{text}”")
            if best.section:
                lines.append(f"Section: {best.section}")
        lines.append(f"Ask: {ask}")
        return "\n".join(lines)
