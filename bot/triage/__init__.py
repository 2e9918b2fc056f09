"""Safeguarding triage: where a message goes, decided before any policy matching.

One public function, `classify(text) -> Triage`, in three bands:

- **report** (`disclosure`, `incident`, `allegation`): start that guided report now;
- **confirm**: it may be about a child's safety and the bot is not sure, so it asks
  "Report a concern" / "It's a policy question" (`Triage.likely` names the report it would start);
- **question**: answer it from the school's policy.

Two layers. The rules (`rules.py`: named trigger lists from `knowledge/language.yaml`, combined
by ordered rule lists) are the floor: what they call a report is at least asked about. The learned layer
(`learned.py`, a classifier over the sentence-embedding model, trained on a bank of described
situations) recognises harm in words no pattern lists, and is what puts a message in the
confirm band. `verdict.py` holds the types both return.
"""
from bot.triage.learned import classify
from bot.triage.verdict import Triage, TriageKind

__all__ = ["Triage", "TriageKind", "classify"]
