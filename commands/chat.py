"""`python app.py chat`: the assistant in the terminal, a channel like Teams and Slack (adapters.console)."""

from __future__ import annotations

import argparse
import asyncio

NAME = "chat"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="talk to the assistant in the terminal")
    parser.add_argument("--school", default=None)
    parser.add_argument("--user", default="console-user", help="who you are (a role holder id to try DSL commands)")
    return parser


def run(settings, args) -> int:
    from adapters.console import run_chat

    return asyncio.run(run_chat(settings, school=args.school, user_id=args.user))
