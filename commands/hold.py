"""`python app.py hold --report REF --on|--off`: place or lift a legal hold (retention never deletes a held report)."""

from __future__ import annotations

import argparse
import asyncio
import sys

NAME = "hold"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="place or lift a legal hold on a report")
    parser.add_argument("--report", required=True, help="reference, e.g. OAK-2026-0042")
    switch = parser.add_mutually_exclusive_group(required=True)
    switch.add_argument("--on", dest="on", action="store_true")
    switch.add_argument("--off", dest="on", action="store_false")
    parser.add_argument("--by", default="cli-operator", help="who is changing it (audited)")
    return parser


def run(settings, args) -> int:
    return asyncio.run(run_hold(settings, args.report, args.on, by=args.by))


async def run_hold(settings, reference: str, on: bool, by: str = "cli-operator") -> int:
    from bot.persistence.db import open_database
    from bot.records.retention import UnknownReference, set_legal_hold

    reference = reference.strip().upper()

    async def work(sessions) -> int:
        try:
            changed = await set_legal_hold(sessions, reference, on, by=by)
        except UnknownReference:
            print(f"error: there is no report with reference {reference!r}", file=sys.stderr)
            return 2
        state = "on legal hold (retention will never delete it)" if on else "no longer on legal hold"
        print(f"{reference} is {state}{'' if changed else ' (unchanged)'}; recorded in the audit log.")
        return 0

    async with open_database(settings.database_url) as sessions:
        return await work(sessions)
