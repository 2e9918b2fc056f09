"""Safeguarding triage latency: it runs on every message before anything else, so it must be cheap.

Measures `bot.triage.classify` per message (p50/p99/max, best of several passes to take other
processes' noise out) over every message of evaluation/*.yaml and the blind sets, each pass
meeting every message for the first time (the sentence-embedding cache is emptied, so the
model's cost counts), plus worst-case inputs: 10,000 characters of prose, of random letters
and of one repeated harmless question.

    python -m benchmarks.triage
"""

from __future__ import annotations

import random
import string
import time
from pathlib import Path

import yaml

from bot.triage import classify
from knowledge.embedding import THREADS, load_encoder

ROOT = Path(__file__).resolve().parent.parent
PASSES = 5


def eval_messages() -> list[str]:
    messages: list[str] = []
    for path in sorted((ROOT / "evaluation").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for section in ("questions", "safeguarding", "near_misses"):
            messages += [item["text"] for item in data.get(section) or []]
        messages += [item if isinstance(item, str) else item["text"] for item in data.get("out_of_scope") or []]
    for path in sorted((ROOT / "evaluation" / "blind").glob("*.yaml")):
        messages += [
            item["text"] for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or []
        ]
    return messages


def best_time_us(text: str) -> float:
    best = float("inf")
    for _ in range(PASSES):
        load_encoder()._cache.clear()  # first contact with this message, every pass
        start = time.perf_counter()
        classify(text)
        best = min(best, time.perf_counter() - start)
    return best * 1e6


def main() -> None:
    messages = eval_messages()
    for text in messages:  # warm the typo cache the way a running bot would be
        classify(text)
    times = sorted(best_time_us(text) for text in messages)
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(
        f"triage over {len(messages)} evaluation messages (wall time, the model on {THREADS} thread(s)): "
        f"p50 {p(0.50):.0f} us, p99 {p(0.99):.0f} us, max {times[-1]:.0f} us"
    )
    rng = random.Random(7)
    worst = {
        "10,000 chars of prose": ("the pupils enjoyed the trip and we posted photos on the blog " * 170)[:10_000],
        "10,000 random letters": "".join(rng.choice(string.ascii_lowercase + " ") for _ in range(10_000)),
        "10,000 chars, one question repeated": ("can I post photos of pupils " * 400)[:10_000],
    }
    for label, text in worst.items():
        print(f"  {label}: {best_time_us(text) / 1000:.1f} ms")


if __name__ == "__main__":
    main()
