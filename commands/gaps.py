"""`python app.py gaps --school SLUG`: questions the policy did not answer, most asked first."""

from __future__ import annotations

import argparse
import asyncio

NAME = "gaps"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="questions the policy did not answer, with counts")
    parser.add_argument("--school", required=True)
    return parser


def run(settings, args) -> int:
    return asyncio.run(run_gaps(settings, args.school))


async def run_gaps(settings, school_slug: str) -> int:
    from bot.conversation.gaps import list_gaps
    from bot.persistence.db import open_database

    async with open_database(settings.database_url) as sessions:
        gaps = await list_gaps(sessions, school_slug)
    if not gaps:
        print(f"No unanswered questions recorded for {school_slug}.")
        return 0
    print(f"Questions the {school_slug} policy did not answer (most asked first):")
    for gap in gaps:
        print(f"{gap.count:5d}  {gap.example}   (last asked {gap.last_seen:%Y-%m-%d})")
    return 0
