"""`python app.py ask`: the assistant's answers on the command line (a stable contract).

    python app.py ask --school SLUG --json "QUESTION"     one JSON object
    python app.py ask --school SLUG --json --batch        one question per stdin line,
                                                          one JSON object per line, in order
    python app.py ask --school SLUG "QUESTION"            the reply a person would read

Schools are the bundled ones plus any ingested into the database (`app.py ingest`). An
unknown slug is an error that lists the known ones (exit code 2). Questions the policy did
not answer are counted as knowledge gaps (`app.py gaps`), without who asked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.conversation.answers import Answer


NAME = "ask"
EXIT_USAGE = 2


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="answer one question (or many with --batch)")
    parser.add_argument("--school", required=True)
    parser.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    parser.add_argument("--batch", action="store_true", help="read one question per line from stdin")
    parser.add_argument("question", nargs="?", default=None)
    return parser


def run(settings, args) -> int:
    return asyncio.run(run_ask(settings, args))


async def _load_policies(settings) -> dict:
    from bot.persistence.policy_store import load_ingested_policies
    from knowledge.policy_file import bundled_policies

    policies = dict(bundled_policies())
    try:
        policies.update(await load_ingested_policies(settings))
    except Exception as exc:  # a broken database must not stop the bundled schools answering
        print(f"warning: ingested schools not loaded ({type(exc).__name__}); bundled schools only", file=sys.stderr)
    return policies


async def _record_gaps(settings, answers: list[Answer]) -> None:
    from bot.conversation.gaps import record_gap
    from bot.persistence.db import create_engine, sessionmaker

    gaps = [a for a in answers if a.kind == "fallback" and a.question.strip()]
    if not gaps:
        return
    engine = create_engine(settings.database_url)
    try:
        sessions = sessionmaker(engine)
        for answer in gaps:
            await record_gap(sessions, answer.school_slug, answer.question)
    except Exception as exc:  # counting gaps is a courtesy; the answer has been given
        print(f"warning: knowledge gap not recorded ({type(exc).__name__})", file=sys.stderr)
    finally:
        await engine.dispose()


def _emit(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
    else:
        print(answer.reply, flush=True)


async def run_ask(settings, args) -> int:
    from bot.conversation.assistant import Assistant
    from knowledge.catalog import load_catalog

    policies = await _load_policies(settings)
    if args.school not in policies:
        print(f"error: unknown school {args.school!r}. Known schools: {', '.join(sorted(policies))}", file=sys.stderr)
        return EXIT_USAGE
    if args.batch:
        questions = [line.rstrip("\r\n") for line in sys.stdin]
    elif args.question is not None:
        questions = [args.question]
    else:
        print("error: give a QUESTION, or --batch to read questions from standard input", file=sys.stderr)
        return EXIT_USAGE
    assistant = Assistant(load_catalog(), policies)
    answers = []
    for question in questions:
        answer = assistant.answer(question, args.school)
        answers.append(answer)
        _emit(answer, args.json)
    await _record_gaps(settings, answers)
    return 0
