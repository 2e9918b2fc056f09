"""`python app.py ingest FILE --school SLUG`: bring a school's own policy; it answers at once.

knowledge.ingest reads and parses the file, bot.persistence.policy_store stores it, and the
clause vectors are encoded once, now, so the server reads them back at start."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

NAME = "ingest"
ENCODE_STEP = 64  # clauses encoded between two progress lines


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="load a school's policy (.txt, .md, .docx, .pdf)")
    parser.add_argument("file")
    parser.add_argument("--school", required=True, help="slug, e.g. hillside")
    parser.add_argument("--name", default=None, help='school name, e.g. "Hillside Primary School"')
    parser.add_argument("--ask", default=None, help='who staff should ask, e.g. "the Headteacher"')
    return parser


def run(settings, args) -> int:
    return asyncio.run(run_ingest(settings, args.file, args.school, args.name, args.ask))


async def run_ingest(settings, file: str, slug: str, name: str | None, ask: str | None) -> int:
    from bot.persistence.db import open_database
    from bot.persistence.policy_store import store_policy
    from knowledge.embedding import ModelMissing, load_encoder
    from knowledge.ingest import build_policy
    from knowledge.readers import UnreadablePolicy
    from knowledge.retrieval import passage

    try:
        policy = build_policy(Path(file), slug, name, ask)
    except UnreadablePolicy as exc:
        print(f"error: {exc}. Nothing was changed.", file=sys.stderr)
        return 2
    try:
        encoder = load_encoder()
    except ModelMissing as exc:
        print(f"error: {exc}. Nothing was changed.", file=sys.stderr)
        return 2
    async with open_database(settings.database_url) as sessions:
        report = await store_policy(sessions, policy)
    print("\n".join(report.lines()))
    # the clause vectors, once, now: the server reads them back from the vector store at start
    texts = [passage(c) for c in policy.clauses]
    for start in range(0, len(texts), ENCODE_STEP):
        encoder.encode_many(texts[start : start + ENCODE_STEP])
        print(
            f"\rEncoding clauses for answers by meaning: {min(start + ENCODE_STEP, len(texts))}/{len(texts)}",
            end="",
            file=sys.stderr,
            flush=True,
        )
    print(file=sys.stderr)
    return 0
