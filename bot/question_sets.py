"""Our own labelled question sets (`evaluation/questions.yaml`, `evaluation/heldout.yaml`): where
they are and how one is read.

Why a module of its own: two tools read them, the evaluation (`bot.evaluation`, `app.py eval`)
and the offline triage trainer (`bot.triage.training`, `make train-triage`). The evaluation
scores the assistant, which triages, so the trainer reading the files through it made
`bot.triage` and `bot.evaluation` import each other. This imports nothing of the bot.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = {"questions": ROOT / "evaluation" / "questions.yaml", "heldout": ROOT / "evaluation" / "heldout.yaml"}


def read_question_set(path: Path) -> dict:
    """A question set's YAML document ({} for an empty file)."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
