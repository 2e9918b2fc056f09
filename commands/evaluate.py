"""`python app.py eval [--blind]`: accuracy on the labelled question sets, then on the blind sets."""

from __future__ import annotations

import argparse

NAME = "eval"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="measure accuracy on the labelled question set")
    parser.add_argument("--school", default=None, help="only this school")
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    parser.add_argument(
        "--blind", action="store_true", help="only the blind sets in evaluation/blind/ (the figures that count)"
    )
    return parser


def run(settings, args) -> int:
    from bot.blind_evaluation import run_blind
    from bot.evaluation import run_eval

    status = 0 if args.blind else run_eval(school=args.school, quiet=args.quiet)
    run_blind(quiet=args.quiet)
    return status
