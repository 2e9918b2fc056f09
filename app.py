"""Command-line entry point: it only assembles the commands, one module each in commands/.

python app.py serve [--port 3978] [--workers N]  the web app (Teams, Slack, health)
python app.py chat --school SLUG            a terminal conversation with the same brain
python app.py ask --school SLUG [--json] [--batch] "QUESTION"
python app.py eval                          accuracy on the labelled question set
python app.py ingest FILE --school SLUG --name "School name"
python app.py gaps --school SLUG            questions the policy did not answer
python app.py school set-role|show ...      safeguarding role holders
python app.py dispatch                      deliver pending DSL alerts
python app.py export --report REF           a report for a subject access request
python app.py summary --school SLUG --from DATE --to DATE --as USER_ID   the governors' termly summary
python app.py retention [--apply]           reports past RETENTION_YEARS (not on legal hold)
python app.py hold --report REF --on|--off  place or lift a legal hold
python app.py teams-package | slack-manifest
python app.py migrate                       bring the database schema up to date
python app.py rekey                         re-encrypt reports under the newest key
"""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings
from commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="Safeguarding policy assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot.persistence.db import DatabaseUnreachable

    try:
        return run(argv)
    except DatabaseUnreachable as exc:  # one clear line, not the driver's traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = next(command for command in COMMANDS if command.NAME == args.command)
    return command.run(Settings(), args)


if __name__ == "__main__":
    sys.exit(main())
