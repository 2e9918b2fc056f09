"""`python app.py export --report REF`: a report's full record as JSON and printable HTML (audited)."""

from __future__ import annotations

import argparse
import asyncio
import sys

NAME = "export"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="a report's full record (JSON and HTML)")
    parser.add_argument("--report", required=True, help="reference, e.g. OAK-2026-0042")
    parser.add_argument("--out", default=".", help="folder to write into")
    parser.add_argument("--by", default="cli-operator", help="who is exporting (audited)")
    return parser


def run(settings, args) -> int:
    return asyncio.run(run_export(settings, args.report, args.out, args.by))


async def run_export(settings, reference: str, out: str, by: str) -> int:
    """The CLI command: 0 when both files are written, 2 for an unknown reference."""
    from bot.persistence.crypto import ContentCipher
    from bot.persistence.db import open_database
    from bot.records.export import export_report
    from bot.records.reports import UnknownReport

    async with open_database(settings.database_url) as sessions:
        cipher = ContentCipher.from_settings(settings)
        try:
            exported = await export_report(sessions, cipher, reference.strip().upper(), out, by=by)
        except UnknownReport:
            print(
                f"error: there is no report with reference {reference!r} (references look like OAK-2026-0042)",
                file=sys.stderr,
            )
            return 2
    print(
        f"exported {exported.reference} (audited as 'export' by {by}):\n  {exported.json_path}\n  "
        f"{exported.html_path}\nThese files contain the full decrypted record: store them securely."
    )
    return 0
