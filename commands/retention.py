"""`python app.py retention [--apply]`: reports past RETENTION_YEARS, not on legal hold (dry run unless --apply)."""

from __future__ import annotations

import argparse
import asyncio

NAME = "retention"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="reports past the retention period (dry run unless --apply)")
    parser.add_argument("--apply", action="store_true", help="delete them (never one on legal hold)")
    parser.add_argument("--by", default="cli-operator", help="who is deleting (audited)")
    return parser


def run(settings, args) -> int:
    return asyncio.run(run_retention(settings, apply=args.apply, by=args.by))


async def _with_sessions(settings, work):
    from bot.persistence.db import open_database

    async with open_database(settings.database_url) as sessions:
        return await work(sessions)


async def run_retention(settings, apply: bool = False, by: str = "cli-operator") -> int:
    from bot.records.retention import delete_expired, expired_reports

    years = settings.retention_years

    async def work(sessions) -> int:
        due = await expired_reports(sessions, years)
        if not due:
            print(f"No reports are past the retention period ({years} years) outside a legal hold.")
            return 0
        print(f"{len(due)} report(s) older than {years} years and not on legal hold:")
        for item in due:
            print(f"  {item.reference}  {item.school_slug}  {item.kind}  made {item.created_at:%Y-%m-%d}")
        if not apply:
            print(
                "Dry run: nothing deleted. Export what must be handed over (app.py export), "
                "then run again with --apply."
            )
            return 0
        deleted = await delete_expired(sessions, years, by=by)
        print(f"Deleted {len(deleted)} report(s) with their alerts; each deletion is in the audit log.")
        return 0

    return await _with_sessions(settings, work)
