"""`make train-triage`: fits the learned triage layer and writes its small weights.

Reproducible: the same corpus and the same packaged model give the same weights (the solver
is deterministic), committed as `knowledge/triage/classifier.npz`: the regression's 4 x 401
numbers and the bank its neighbours' vote reads (the corpus's embeddings on their 128 principal
directions as int8, with labels and the projection; 1.6 MB).

Corpus: `knowledge/triage/training*.yaml` (case vignettes, scenario messages, plain questions and
near misses, written for training by writers who saw no code and no evaluation set) plus the intent
catalog's examples, its clause questions, our own labelled `evaluation/questions.yaml`, and every
blind set older than `EVIDENCE_SET` (`evaluation/blind/`, each written by its own helper: safety
messages with their labels, and every policy question as a question). `evaluation/heldout.yaml` is
kept out and only printed as a check. The newest blind set is the evidence for a refit and is never
read here: a refit is judged on a set written before it and scored on the old weights first
("train only on sets written before the one you report"). When the next set is written and its
first contact recorded, `EVIDENCE_SET` moves to it and the refit may read the one before.

Model: multinomial logistic regression over the sentence embeddings and the rule signals (scikit-learn, a training
dependency only: serving is one 384 x 4 matrix product in numpy), blended with the vote of each
message's nearest neighbours in the corpus (`learned.Bank`: one 15,536 x 128 product per message).
Balanced class weights, so the 2-to-1 excess of questions does not teach it that a worried message
is usually a question.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

from bot import kinds
from bot.question_sets import QUESTION_FILES, read_question_set
from bot.triage.learned import LABELS, WEIGHTS_FILE, Bank, blend, features
from knowledge.embedding import load_encoder, model_id

TRAINING_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "triage"
REGULARISATION = 4.0  # scikit-learn's C; chosen by 5-fold cross-validation on the corpus (printed)
BLIND_DIR = Path(__file__).resolve().parents[2] / "evaluation" / "blind"
EVIDENCE_SET = "2026-12-01s"  # blind files named from this one on are the evidence: never trained on
LABEL_OF = {kind.id: kind.triage_kind for kind in kinds.all_kinds() if kind.triage_kind}  # training files use ids


def _own_set(path: Path) -> list[tuple[str, str]]:
    doc = read_question_set(path)
    out = [(q["text"], "question") for q in doc.get("questions") or []]
    out += [(q["text"], "question") for q in doc.get("near_misses") or []]
    out += [(q["text"] if isinstance(q, dict) else q, "question") for q in doc.get("out_of_scope") or []]
    out += [(s["text"], s["kind"]) for s in doc.get("safeguarding") or []]
    return out


def corpus() -> list[tuple[str, str]]:
    from knowledge.catalog import load_catalog

    items = []
    for path in sorted(TRAINING_DIR.glob("training*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        items += [(e["text"], LABEL_OF.get(e["label"], e["label"])) for e in doc["examples"]]
    # every catalog example and every clause question is a policy question as staff type it
    catalog = load_catalog()
    items += [(text, "question") for intent in catalog.intents.values() for text in intent.examples]
    items += [
        (text, "question")
        for school in sorted(catalog.clause_questions)
        for _, text in catalog.questions_for_clauses(school)
    ]
    return items + _own_set(QUESTION_FILES["questions"]) + earlier_blind_sets()


def earlier_blind_sets(directory: Path = BLIND_DIR, evidence: str = EVIDENCE_SET) -> list[tuple[str, str]]:
    """(text, label) of every blind set named before `evidence`: a safety message with its label,
    a policy question (answerable or not) as a question. The tuning set in `evaluation/dev/` too."""
    items: list[tuple[str, str]] = []
    paths = [p for p in sorted(directory.glob("*.yaml")) if p.name < evidence]
    for path in [*paths, *sorted((directory.parent / "dev").glob("*.yaml"))]:
        for item in read_question_set(path).get("items") or []:
            if "label" in item:
                items.append((item["text"], LABEL_OF.get(item["label"], item["label"])))
            elif "school" in item:
                items.append((item["text"], "question"))
    return items


def fit(x: np.ndarray, y: np.ndarray, c: float = REGULARISATION):
    """The logistic regression over feature rows `x` (see `learned.features`) and label indices `y`."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y)


def cross_validated(x: np.ndarray, y: np.ndarray, c: float, dims: int) -> np.ndarray:
    """Each message's probabilities (regression and neighbours' vote blended, as served) from a
    model fitted on the other four fifths of the corpus: how the bands would fall."""
    from sklearn.model_selection import StratifiedKFold

    probs = np.zeros((len(y), len(LABELS)))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        model = fit(x[train], y[train], c)
        probs[test] = blend(model.predict_proba(x[test]), Bank(x[train, :dims], y[train]).vote(x[test, :dims]))
    return probs


def main() -> int:
    items = corpus()
    texts, labels = [t for t, _ in items], [label for _, label in items]
    y = np.array([LABELS.index(label) for label in labels])
    encoder = load_encoder()
    x = features(encoder, texts)
    dims = len(encoder.encode(["a"])[0])  # the meaning's share of each feature row; the rest are rule signals
    print(f"corpus: {len(items)} messages; " + ", ".join(f"{label} {labels.count(label)}" for label in LABELS))
    for c in (1.0, 2.0, 4.0, 8.0):
        probs = cross_validated(x, y, c, dims)
        print(f"  C={c:<4} 5-fold accuracy {float((probs.argmax(1) == y).mean()):.3f}")
        if c == REGULARISATION:  # how the bands would fall, each message scored by a model that never saw it
            report = 1.0 - probs[:, 0]
            for at in (0.2, 0.3, 0.4, 0.5, 0.7, 0.85, 0.95):
                share = {label: float(np.mean(report[y == k] >= at)) for k, label in enumerate(LABELS)}
                print(f"      P(report) >= {at:.2f}: " + ", ".join(f"{label} {v:.3f}" for label, v in share.items()))
    model = fit(x, y)
    bank = Bank(x[:, :dims], y)
    arrays: dict[str, np.ndarray] = {
        "coef": model.coef_.astype(np.float32),
        "intercept": model.intercept_.astype(np.float32),
        "labels": np.array(LABELS),
        "model_id": np.array(model_id()),
        **bank.packed(),
    }
    np.savez_compressed(WEIGHTS_FILE, allow_pickle=False, **arrays)
    print(f"wrote {WEIGHTS_FILE}")
    held = _own_set(QUESTION_FILES["heldout"])
    x_held = features(encoder, [t for t, _ in held])
    probs = blend(model.predict_proba(x_held), Bank.load(np.load(WEIGHTS_FILE)).vote(x_held[:, :dims]))
    report = 1.0 - probs[:, LABELS.index("question")]
    for label in LABELS:
        rows = [i for i, (_, held_label) in enumerate(held) if held_label == label]
        if rows:
            print(
                f"  heldout.yaml {label:10} n={len(rows):4}  P(report) median {np.median(report[rows]):.2f}  "
                f">=0.5: {np.mean(report[rows] >= 0.5):.2f}  >=0.25: {np.mean(report[rows] >= 0.25):.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
