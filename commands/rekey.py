"""`python app.py rekey`: re-encrypt every report under the newest key of ENCRYPTION_KEYS (rotation)."""

from __future__ import annotations

import argparse
import asyncio

NAME = "rekey"


def add_parser(sub) -> argparse.ArgumentParser:
    return sub.add_parser(NAME, help="re-encrypt every report under the newest ENCRYPTION_KEYS key (rotation)")


def run(settings, args) -> int:
    return asyncio.run(run_rekey(settings))


async def run_rekey(settings) -> int:
    """`python app.py rekey`: after putting a new key first in ENCRYPTION_KEYS, re-encrypt every
    report under it; then the old key can be removed from the list."""
    from bot.persistence.crypto import ContentCipher
    from bot.persistence.db import open_database
    from bot.records.reports import reencrypt_reports

    cipher = ContentCipher.from_settings(settings)
    async with open_database(settings.database_url) as sessions:
        count = await reencrypt_reports(sessions, cipher)
    print(f"re-encrypted {count} report(s) under the newest key; older keys can now be removed")
    return 0
