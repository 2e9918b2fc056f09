"""What triage returns: where a message goes (shared by the rule and the learned layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TriageKind = Literal["disclosure", "incident", "allegation", "question", "confirm"]
MAY_CONCERN_CHILD = "may_concern_child"  # the reason code of the wellbeing band


@dataclass(frozen=True)
class Triage:
    """Where a message goes. `confirm`: it may be about a child's safety and the bot is not
    sure, so it asks ("Report a concern" / "It's a policy question"); `likely` is then the
    report kind it would start."""

    kind: TriageKind
    urgent: bool
    reasons: tuple[str, ...]
    likely: str = ""

    @property
    def is_report(self) -> bool:
        return self.kind not in ("question", "confirm")

    @property
    def may_concern_child(self) -> bool:
        """Answered as a question, but it read a little like a worry about a child: the reply
        keeps the report a tap away (see `bot.triage.learned`, the wellbeing band)."""
        return MAY_CONCERN_CHILD in self.reasons
