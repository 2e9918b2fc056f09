"""Command-line entry point: wiring only. Each command lives in the module named beside it.

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
import asyncio
import sys

from bot.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="Safeguarding policy assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app for Teams and Slack")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default=None)
    serve.add_argument("--workers", type=int, default=None,
                       help="server processes sharing the port (default WEB_WORKERS, 1); one per core")
    serve.add_argument("--as-worker", action="store_true", help=argparse.SUPPRESS)  # started by --workers

    chat = sub.add_parser("chat", help="talk to the assistant in the terminal")
    chat.add_argument("--school", default=None)
    chat.add_argument("--user", default="console-user", help="who you are (a role holder id to try DSL commands)")

    ask = sub.add_parser("ask", help="answer one question (or many with --batch)")
    ask.add_argument("--school", required=True)
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ask.add_argument("--batch", action="store_true", help="read one question per line from stdin")
    ask.add_argument("question", nargs="?", default=None)

    ev = sub.add_parser("eval", help="measure accuracy on the labelled question set")
    ev.add_argument("--school", default=None, help="only this school")
    ev.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    ev.add_argument("--blind", action="store_true", help="only the blind sets in evaluation/blind/ (the figures that count)")

    ingest = sub.add_parser("ingest", help="load a school's policy (.txt, .md, .docx, .pdf)")
    ingest.add_argument("file")
    ingest.add_argument("--school", required=True, help="slug, e.g. hillside")
    ingest.add_argument("--name", default=None, help='school name, e.g. "Hillside Primary School"')
    ingest.add_argument("--ask", default=None, help='who staff should ask, e.g. "the Headteacher"')

    gaps = sub.add_parser("gaps", help="questions the policy did not answer, with counts")
    gaps.add_argument("--school", required=True)

    school = sub.add_parser("school", help="safeguarding role holders of a school")
    school_sub = school.add_subparsers(dest="school_command", required=True)
    set_role = school_sub.add_parser("set-role")
    set_role.add_argument("--school", required=True)
    set_role.add_argument("--role", required=True, choices=["dsl", "deputy", "head", "chair"])
    set_role.add_argument("--channel", required=True, choices=["msteams", "slack", "email"])
    set_role.add_argument("--user-id", required=True)
    set_role.add_argument("--name", default="")
    remove_role = school_sub.add_parser("remove-role")
    remove_role.add_argument("--school", required=True)
    remove_role.add_argument("--role", required=True, choices=["dsl", "deputy", "head", "chair"])
    remove_role.add_argument("--channel", required=True, choices=["msteams", "slack", "email"])
    remove_role.add_argument("--user-id", required=True)
    show = school_sub.add_parser("show")
    show.add_argument("--school", required=True)
    timeouts = school_sub.add_parser("set-timeouts", help="how long each escalation stage waits for an acknowledgement")
    timeouts.add_argument("--school", required=True)
    timeouts.add_argument("--minutes", type=int, required=True, help="normal reports, e.g. 10")
    timeouts.add_argument("--urgent-minutes", type=int, required=True, help="urgent reports, e.g. 2")
    review = school_sub.add_parser("set-review-date", help="when the school's policy is next due for review")
    review.add_argument("--school", required=True)
    review.add_argument("--date", required=True, help="YYYY-MM-DD, e.g. 2027-03-31")
    review.add_argument("--by", default="cli-operator", help="who set it (kept with the date)")
    map_tenant = school_sub.add_parser("map-tenant", help="serve a Teams tenant or Slack workspace")
    map_tenant.add_argument("--school", required=True)
    map_tenant.add_argument("--channel", required=True, choices=["msteams", "slack"])
    map_tenant.add_argument("--tenant-id", required=True)

    dispatch = sub.add_parser("dispatch", help="deliver pending alerts (runs inside serve too)")
    dispatch.add_argument("--once", action="store_true", help="deliver what is due, then stop")

    export = sub.add_parser("export", help="a report's full record (JSON and HTML)")
    export.add_argument("--report", required=True, help="reference, e.g. OAK-2026-0042")
    export.add_argument("--out", default=".", help="folder to write into")
    export.add_argument("--by", default="cli-operator", help="who is exporting (audited)")

    summary = sub.add_parser("summary", help="the governors' termly safeguarding summary (HTML, counts only)")
    summary.add_argument("--school", required=True)
    summary.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
    summary.add_argument("--to", dest="last", required=True, help="last day, YYYY-MM-DD")
    summary.add_argument("--as", dest="as_user", required=True,
                         help="the user id of the safeguarding role holder producing it (checked, audited)")
    summary.add_argument("--out", default=".", help="folder to write into")

    retention = sub.add_parser("retention", help="reports past the retention period (dry run unless --apply)")
    retention.add_argument("--apply", action="store_true", help="delete them (never one on legal hold)")
    retention.add_argument("--by", default="cli-operator", help="who is deleting (audited)")

    hold = sub.add_parser("hold", help="place or lift a legal hold on a report")
    hold.add_argument("--report", required=True, help="reference, e.g. OAK-2026-0042")
    hold_switch = hold.add_mutually_exclusive_group(required=True)
    hold_switch.add_argument("--on", dest="on", action="store_true")
    hold_switch.add_argument("--off", dest="on", action="store_false")
    hold.add_argument("--by", default="cli-operator", help="who is changing it (audited)")

    sub.add_parser("teams-package", help="build the Teams app zip").add_argument("--out", default="build")
    sub.add_parser("slack-manifest", help="print the Slack app manifest")
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("rekey", help="re-encrypt every report under the newest ENCRYPTION_KEYS key (rotation)")
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot.db import DatabaseUnreachable

    try:
        return run(argv)
    except DatabaseUnreachable as exc:  # one clear line, not the driver's traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    command = args.command
    if command == "serve":
        if args.workers is not None and not 1 <= args.workers <= 64:
            build_parser().error("--workers must be between 1 and 64 (one per CPU core is usual)")
        from adapters.web import serve
        return serve(settings, host=args.host, port=args.port, workers=args.workers, as_worker=args.as_worker)
    if command == "chat":
        from adapters.console import run_chat
        return asyncio.run(run_chat(settings, school=args.school, user_id=args.user))
    if command == "ask":
        from bot.cli_ask import run_ask
        return asyncio.run(run_ask(settings, args))
    if command == "eval":
        from bot.blind_evaluation import run_blind
        from bot.evaluation import run_eval
        status = 0 if args.blind else run_eval(school=args.school, quiet=args.quiet)
        run_blind(quiet=args.quiet)
        return status
    if command == "ingest":
        from knowledge.ingest import run_ingest
        return asyncio.run(run_ingest(settings, args.file, args.school, args.name, args.ask))
    if command == "gaps":
        from bot.gaps import run_gaps
        return asyncio.run(run_gaps(settings, args.school))
    if command == "school":
        from bot.roles import run_school_command
        return asyncio.run(run_school_command(settings, args))
    if command == "dispatch":
        from adapters.rendering import renderer_for
        from bot.dispatcher import run_dispatch
        return asyncio.run(run_dispatch(settings, once=args.once, renderer_for=renderer_for))
    if command == "export":
        from bot.export import run_export
        return asyncio.run(run_export(settings, args.report, args.out, args.by))
    if command == "summary":
        from bot.oversight.summary_command import run_summary
        return asyncio.run(run_summary(settings, args.school, args.first, args.last, args.as_user, args.out))
    if command == "retention":
        from bot.retention import run_retention
        return asyncio.run(run_retention(settings, apply=args.apply, by=args.by))
    if command == "hold":
        from bot.retention import run_hold
        return asyncio.run(run_hold(settings, args.report, args.on, by=args.by))
    if command == "rekey":
        from bot.reports import run_rekey
        return asyncio.run(run_rekey(settings))
    if command == "teams-package":
        from adapters.teams_package import build_package
        return build_package(settings, args.out)
    if command == "slack-manifest":
        from adapters.slack_manifest import print_manifest
        return print_manifest(settings)
    if command == "migrate":
        from bot.db import migrate_sync
        migrate_sync(settings.database_url)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
