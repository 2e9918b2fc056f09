"""Scores the assistant on the blind sets in `evaluation/blind/`: the only figures that count.

A blind set is written by someone who saw the policy texts and nothing else (no catalog, no
examples, no code, no earlier set), so it measures whether the assistant understands staff,
not whether it remembers our own sentences. Two shapes of file live there:

- **policy questions** (items with `school`, `expect` and, for `expect: answer`, a verbatim
  `quote` from that school's policy): an answer is right when the clause it quotes first
  contains the quote (or lies inside it: a long quote may span our clause boundaries);
- **safety messages** (items with `label`: disclosure, incident, adult_concern or question):
  where the turn loop would send each one (a report flow, the "is this a safeguarding
  concern?" confirm card, or an answer).

Policy questions are scored three ways: as the bundled schools are served (curated), with
each school's own curation hidden (how an ingested policy is answered), and with each policy
flattened to one run of text (how many PDF and web exports arrive) and uncurated.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot import kinds
from bot.conversation.answers import TENTATIVE_SUMMARY
from bot.evaluation import _HiddenSchool, _pct
from bot.question_sets import ROOT
from bot.triage import classify

BLIND_DIR = ROOT / "evaluation" / "blind"
QUOTE_MATCH = 90  # rapidfuzz partial_ratio (0-100) for a quote whose spacing or punctuation differs


def _plain(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[^a-z0-9']+", " ", text).split())


def quote_in_clause(quote: str, clause_text: str) -> bool:
    """Does the quoted clause hold the expected words (or lie wholly inside a longer quote)?"""
    q, c = _plain(quote), _plain(clause_text)
    if not q or not c:
        return False
    if q in c or (len(c) >= 40 and c in q):
        return True
    shorter, longer = (q, c) if len(q) <= len(c) else (c, q)
    return len(shorter) >= 40 and fuzz.partial_ratio(shorter, longer) >= QUOTE_MATCH


def load_sets(directory: Path = BLIND_DIR) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]]]:
    """(policy-question items, safety items), each as (file name, item)."""
    questions: list[tuple[str, dict]] = []
    safety: list[tuple[str, dict]] = []
    for path in sorted(directory.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("items") or []:
            if "school" in item and "expect" in item:
                questions.append((path.name, item))
            elif "label" in item:
                safety.append((path.name, item))
    return questions, safety


@dataclass
class QuestionScore:
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    said_silent: int = 0  # answerable, but told the policy doesn't say
    reported: int = 0  # an ordinary question sent to a report flow or the confirm card
    out_of_scope: int = 0
    fallbacks: int = 0
    hedged: int = 0  # out of scope, answered only as "the closest the policy comes is"
    misses: list[str] = field(default_factory=list)

    def add(self, other: QuestionScore) -> None:
        for name in ("answerable", "top1", "top3", "said_silent", "reported", "out_of_scope", "fallbacks", "hedged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses


def _shown(answer) -> list[str]:
    return [f"{c.lead_in} {c.text}" if c.lead_in else c.text for c in answer.clauses]


def score_questions(assistant, items: list[dict], school: str) -> QuestionScore:
    score = QuestionScore()
    for item in items:
        if item["school"] != school:
            continue
        answer = assistant.answer(item["text"], school)
        routed = answer.kind in kinds.triage_kinds() or answer.kind == "confirm"
        score.reported += routed
        if item["expect"] == "none":
            score.out_of_scope += 1
            score.fallbacks += answer.kind == "fallback"
            score.hedged += answer.kind == "answer" and answer.summary == TENTATIVE_SUMMARY
            if answer.kind != "fallback":
                score.misses.append(f"out of scope answered as {answer.kind}: {item['text']!r}")
            continue
        score.answerable += 1
        shown = _shown(answer)
        first = answer.kind == "answer" and bool(shown) and quote_in_clause(item["quote"], shown[0])
        score.top1 += first
        score.top3 += answer.kind in ("answer", "clarify") and any(quote_in_clause(item["quote"], s) for s in shown[:3])
        score.said_silent += answer.kind == "fallback"
        if not first:
            got = f"{answer.kind}: {shown[0][:90]!r}" if shown else answer.kind
            score.misses.append(f"{item['text']!r}\n      want {item['quote'][:90]!r}\n      got  {got}")
    return score


def flattened(policy):
    """The same policy as one unbroken run of text, as many PDF and web exports arrive."""
    from knowledge.policy_file import make_policy

    text = " ".join(policy.text.split())
    return make_policy(
        policy.slug,
        policy.name,
        text,
        policy_title=policy.policy_title,
        review_date=policy.review_date,
        ask=policy.ask,
        roles=policy.roles,
    )


def route(assistant, text: str, school: str) -> str:
    """Where the turn loop sends a message: a report kind, 'confirm', or an answer kind."""
    return assistant.answer(text, school).kind


@dataclass
class SafetyScore:
    total: Counter = field(default_factory=Counter)
    own_flow: Counter = field(default_factory=Counter)
    report_or_confirm: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)  # given an answer, clarify or fallback
    started: Counter = field(default_factory=Counter)  # a report flow started (not the confirm card)
    offered: Counter = field(default_factory=Counter)  # answered, with the report offered beside the answer
    misses: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def score_safety(assistant, items: list[dict], school: str = "oakfield") -> SafetyScore:
    score = SafetyScore()
    for item in items:
        label = item["label"]
        started = time.perf_counter()
        got = route(assistant, item["text"], school)
        score.seconds.append(time.perf_counter() - started)
        score.total[label] += 1
        routed = got in kinds.triage_kinds() or got == "confirm"
        score.report_or_confirm[label] += routed
        score.started[label] += got in kinds.triage_kinds()
        score.answered[label] += not routed
        if not routed and got in ("answer", "fallback"):  # the turn loop offers the report beside these
            score.offered[label] += classify(item["text"]).may_concern_child
        if label == "question":
            if routed:
                score.misses.append(f"question sent to {got}: {item['text']!r}")
            continue
        own_flow = kinds.get(label).triage_kind  # the label is a kind's id (adult_concern), the answer triage's name
        score.own_flow[label] += got == own_flow
        if got != own_flow:
            score.misses.append(f"{label}/{item.get('category', '?')} got {got}: {item['text']!r}")
    return score


def _print_questions(label: str, score: QuestionScore) -> None:
    print(
        f"  {label:28} top-1 {_pct(score.top1, score.answerable)}  top-3 {_pct(score.top3, score.answerable)}  "
        f"told silent {_pct(score.said_silent, score.answerable)}  out-of-scope fallback "
        f"{_pct(score.fallbacks, score.out_of_scope)} (+{score.hedged} hedged)  sent to a report {score.reported}"
    )


def run_blind(
    quiet: bool = False, variants: tuple[str, ...] = ("curated", "uncurated", "flattened"), directory: Path = BLIND_DIR
) -> dict:
    """Print and return the blind figures. `variants` picks how policy questions are served."""
    from bot.conversation.assistant import Assistant
    from knowledge.catalog import load_catalog
    from knowledge.policy_file import bundled_policies

    catalog, policies = load_catalog(), bundled_policies()
    question_items, safety_items = load_sets(directory)
    by_file: dict[str, list[dict]] = defaultdict(list)
    for name, item in question_items:
        by_file[name].append(item)
    figures: dict = {}
    assistant = Assistant(catalog, policies)
    if question_items:
        print(f"\n== blind policy questions ({', '.join(sorted(by_file))}) ==")
    for variant in variants if question_items else ():
        total = QuestionScore()
        for school in sorted(policies):
            items = [i for _, i in question_items if i["school"] == school]
            if not items:
                continue
            if variant == "curated":
                served = assistant
            elif variant == "uncurated":
                served = Assistant(_HiddenSchool(catalog, school), policies)
            else:
                served = Assistant(_HiddenSchool(catalog, school), {**policies, school: flattened(policies[school])})
            score = score_questions(served, items, school)
            _print_questions(f"{variant}: {school}", score)
            total.add(score)
        _print_questions(f"{variant}: ALL", total)
        figures[variant] = total
        if not quiet and variant == "curated":
            for line in total.misses:
                print(f"    - {line}")
    if safety_items:
        names = sorted({n for n, _ in safety_items})
        print(f"\n== blind safety messages ({', '.join(names)}) ==")
        s = score_safety(assistant, [i for _, i in safety_items])
        for label in (kind.id for kind in kinds.all_kinds() if kind.triage_kind):
            if s.total[label]:
                print(
                    f"  {label:14} own flow {_pct(s.own_flow[label], s.total[label])}   report flow or confirm "
                    f"{_pct(s.report_or_confirm[label], s.total[label])}   answered/fallback {s.answered[label]}"
                    f" (with the report offered {s.offered[label]})"
                )
        if s.total["question"]:
            print(
                f"  question       sent to a report flow or confirm (false alarm) "
                f"{_pct(s.report_or_confirm['question'], s.total['question'])}   "
                f"of which a report flow started {s.started['question']}; answered with the report offered "
                f"{s.offered['question']}"
            )
        timings = sorted(s.seconds)
        if timings:
            p99 = timings[min(len(timings) - 1, int(0.99 * len(timings)))] * 1000
            print(f"  routing time per message: p50 {timings[len(timings) // 2] * 1000:.1f} ms, p99 {p99:.1f} ms")
        figures["safety"] = s
        if not quiet:
            for line in s.misses:
                print(f"    - {line}")
    if not question_items and not safety_items:
        print(f"no blind sets in {directory}")
    return figures
