"""`python app.py summary --school SLUG --from DATE --to DATE --as USER_ID`: the governors' termly
safeguarding summary (HTML, counts only; bot.oversight.summary_command says why `--as`)."""

from __future__ import annotations

import argparse
import asyncio

NAME = "summary"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="the governors' termly safeguarding summary (HTML, counts only)")
    parser.add_argument("--school", required=True)
    parser.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="last", required=True, help="last day, YYYY-MM-DD")
    parser.add_argument(
        "--as",
        dest="as_user",
        required=True,
        help="the user id of the safeguarding role holder producing it (checked, audited)",
    )
    parser.add_argument("--out", default=".", help="folder to write into")
    return parser


def run(settings, args) -> int:
    from bot.oversight.summary_command import run_summary

    return asyncio.run(run_summary(settings, args.school, args.first, args.last, args.as_user, args.out))
