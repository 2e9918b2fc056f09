"""The channel-neutral answer: what the assistant says to a policy question.

The core builds one of these; Teams (Adaptive Card), Slack (Block Kit) and the terminal
each render it. `to_json()` is the stable CLI contract (`app.py ask --json`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot import kinds

Kind = Literal["answer", "clarify", "fallback", "disclosure", "incident", "allegation", "confirm"]
Verdict = Literal["yes", "no", "conditional", "ask_first", "info"]

VERDICT_LABELS: dict[str, str] = {
    "yes": "Yes",
    "no": "No",
    "conditional": "It depends",
    "ask_first": "Ask first",
    "info": "What the policy says",
}


# What the core says in the confirm band, and before a clause that only comes close; every
# channel and the evaluation read these, so the words live in one place.
CONFIRM_PROMPT = (
    "This sounds like it could be about a child's safety. Do you want to report a concern to "
    "the {dsl}, or is it a policy question?"
)
TENTATIVE_SUMMARY = "I'm not sure the policy answers this exactly. The closest it comes is:"


@dataclass(frozen=True)
class QuotedClause:
    id: str
    section: str
    text: str  # exact clause text from the policy
    score: float
    lead_in: str = ""

    def to_json(self) -> dict:
        return {"id": self.id, "section": self.section, "text": self.text, "score": round(self.score, 3)}


@dataclass(frozen=True)
class Choice:
    """One option of a "Did you mean" question; `intent` None means "none of these"."""

    intent: str | None
    label: str


@dataclass(frozen=True)
class Answer:
    question: str
    kind: Kind
    school_slug: str
    school_name: str
    policy_title: str
    reply: str  # what the user reads, as plain text
    intent: str | None = None
    verdict: Verdict | None = None
    summary: str = ""  # the one-line plain-English meaning
    clauses: tuple[QuotedClause, ...] = ()
    ask: str = ""  # who to ask
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    notice: str = ""  # a small line under the answer, e.g. that the policy is overdue for review

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict or "", "")

    @property
    def starts_report(self) -> bool:
        return self.kind in kinds.triage_kinds()

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "kind": self.kind,
            "intent": self.intent,
            "verdict": self.verdict,
            "clauses": [c.to_json() for c in self.clauses],
            "reply": self.reply,
        }
