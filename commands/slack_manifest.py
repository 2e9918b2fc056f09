"""`python app.py slack-manifest`: print the Slack app manifest for this server's address."""

from __future__ import annotations

import argparse

NAME = "slack-manifest"


def add_parser(sub) -> argparse.ArgumentParser:
    return sub.add_parser(NAME, help="print the Slack app manifest")


def run(settings, args) -> int:
    from adapters.slack_manifest import print_manifest

    return print_manifest(settings)
