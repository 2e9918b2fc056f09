"""What triage returns: where a message goes (shared by the rule and the learned layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TriageKind = Literal["disclosure", "incident", "allegation", "question", "confirm"]


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
