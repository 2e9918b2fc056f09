"""`python app.py serve`: the web app for Teams and Slack (and /healthz, /readyz), in one or N processes."""

from __future__ import annotations

import argparse

NAME = "serve"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="run the web app for Teams and Slack")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--host", default=None)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server processes sharing the port (default WEB_WORKERS, 1); one per core",
    )
    parser.add_argument(
        "--as-worker",
        action="store_true",
        help="run as one of the processes that 'serve --workers N' starts (that parent passes it; not for direct use)",
    )
    parser.set_defaults(parser_of_command=parser)
    return parser


def run(settings, args) -> int:
    if args.workers is not None and not 1 <= args.workers <= 64:
        args.parser_of_command.error("--workers must be between 1 and 64 (one per CPU core is usual)")
    from adapters.web import serve

    return serve(settings, host=args.host, port=args.port, workers=args.workers, as_worker=args.as_worker)
