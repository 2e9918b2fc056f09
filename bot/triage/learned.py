"""The learned triage layer: recognises a child at risk in words no rule lists.

The rules (`bot.triage.rules`) catch what they were written for; staff describe harm in
endless other ways ("little one keeps saying there was no tea", "a man of about 20 picks her
up from the gate and buys her things"). This layer reads the message's meaning through the
sentence-embedding model (`knowledge.embedding`) and a logistic-regression classifier over it
(plus the rule layer's signals, `rules.signals`),
trained by `make train-triage` on a bank of described situations (`bot/triage/training.py`).

The rules are the floor: what they call a report stays a report. Otherwise the classifier's
P(report) = 1 - P(question) decides the band:

- at least REPORT_AT, and the rules see a person and something happening to them: a report
  of the most likely kind starts at once;
- at least CONFIRM_AT: the bot asks ("Report a concern" / "It's a policy question");
- at least WELLBEING_AT: answered as a question, but marked `may_concern_child`, so a
  "the policy doesn't say" reply offers the report and names the DSL instead;
- below: an ordinary question.

The thresholds were read off 5-fold cross-validation of the training corpus (printed by
`make train-triage`: at 0.5, 7.2% of its questions, many of them deliberately hard near misses,
and 98.4% of its disclosures; at 0.95, 1.0% and 87.2%), never off a blind set. A false alarm costs a tap on "It's a policy question"; a missed
disclosure costs a child, so the confirm band is wide.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.triage import rules
from bot.triage.verdict import Triage
from knowledge.embedding import MAX_TEXT_CHARS

WEIGHTS_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "triage" / "classifier.npz"
LABELS = ("question", "disclosure", "incident", "allegation")
REPORT_AT = 0.95
CONFIRM_AT = 0.5
WELLBEING_AT = 0.2
MIN_WORDS = 3  # fewer real words than this ("0xY0", "ok") is not read by the model
WORD = re.compile(r"[a-z]{2,}")
SIGNAL_SCALE = 0.5  # rule signals are 0/1; embedding components are ~0.05: scaled so neither drowns  # the model reads ~256 word pieces; the rules read the whole message


class _Classifier:
    def __init__(self, path: Path):
        from knowledge.embedding import MODEL_ID, load_encoder

        weights = np.load(path)
        if str(weights["model_id"]) != MODEL_ID or tuple(weights["labels"]) != LABELS:
            raise RuntimeError(f"{path} was trained for another model or labels; run `make train-triage`")
        self.coef = weights["coef"]
        self.intercept = weights["intercept"]
        self.encoder = load_encoder()

    def probabilities(self, text: str, flags: tuple[float, ...] | None = None) -> np.ndarray:
        logits = self.coef @ features(self.encoder, [text], None if flags is None else [flags])[0] + self.intercept
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()


def _situation_described(found: dict[str, float]) -> bool:
    """The rules see a person and something happening to them: only then may the learned layer
    start a report without asking (otherwise its surest verdict is the confirm card)."""
    return bool(found["person"] or found["child"]) and any(
        found[name] for name in ("told", "event", "harm", "worry", "first_person", "adult_acts", "incident_type")
    )


def features(encoder, texts: list[str], flags: list[tuple[float, ...]] | None = None) -> np.ndarray:
    """Per message: its meaning (the embedding) and the rule layer's signals (question frame,
    a telling verb, a child, harm words...), which the embedding alone blurs. `flags`: the
    signals when the caller has read them already."""
    meaning = encoder.encode([t[:MAX_TEXT_CHARS] for t in texts])  # as retrieval reads it: one encode per turn
    signal_rows = (
        np.array(flags if flags is not None else [rules.signals(t) for t in texts], dtype=np.float32) * SIGNAL_SCALE
    )
    return np.hstack([meaning, signal_rows])


@lru_cache(maxsize=1)
def classifier() -> _Classifier:
    return _Classifier(WEIGHTS_FILE)


def classify(text: str) -> Triage:
    """Where a message goes: a report kind, `confirm`, or `question` (see the module docstring)."""
    verdict = rules.classify(text)
    normalised = rules.normalise(text) if isinstance(text, str) else ""
    if verdict.is_report or len(WORD.findall(normalised)) < MIN_WORDS:
        return verdict
    flags = rules.signals(text)  # read once: the classifier's features and the situation check
    probs = classifier().probabilities(text, flags)
    p_report = 1.0 - float(probs[0])
    likely = LABELS[1 + int(np.argmax(probs[1:]))]
    if p_report >= REPORT_AT and _situation_described(dict(zip(rules.SIGNAL_NAMES, flags))):
        urgent = rules.URGENT_RX.search(normalised) is not None
        return Triage(likely, urgent, (*verdict.reasons, "learned_report"), likely)
    if p_report >= CONFIRM_AT:
        return Triage("confirm", False, (*verdict.reasons, "learned_unsure"), likely)
    if p_report >= WELLBEING_AT:
        return Triage("question", False, (*verdict.reasons, "may_concern_child"), likely)
    return verdict
