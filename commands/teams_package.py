"""`python app.py teams-package`: the Teams app zip (manifest validated against Microsoft's schema)."""

from __future__ import annotations

import argparse

NAME = "teams-package"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="build the Teams app zip")
    parser.add_argument("--out", default="build")
    return parser


def run(settings, args) -> int:
    from adapters.teams_package import build_package

    return build_package(settings, args.out)
