"""`python app.py migrate`: bring the database schema up to date (the server and commands also do)."""

from __future__ import annotations

import argparse

NAME = "migrate"


def add_parser(sub) -> argparse.ArgumentParser:
    return sub.add_parser(NAME, help="bring the database schema up to date")


def run(settings, args) -> int:
    from bot.persistence.db import migrate_sync

    migrate_sync(settings.database_url)
    return 0
