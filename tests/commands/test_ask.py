"""`python app.py ask` is a contract other tools rely on: run it as they do."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"question", "kind", "intent", "verdict", "clauses", "reply"}


@pytest.fixture()
def run(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"}

    def _run(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "app.py", "ask", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return _run


def test_json_answer_has_exactly_the_contract_fields(run):
    done = run("--school", "ringway", "--json", "can i accept a friend req from a parent on fb")
    assert done.returncode == 0, done.stderr
    obj = json.loads(done.stdout)
    assert set(obj) == KEYS
    assert obj["kind"] == "answer" and obj["intent"] == "friend_parents" and obj["verdict"] == "no"
    clause = obj["clauses"][0]
    assert set(clause) == {"id", "section", "text", "score"} and clause["id"].startswith("ringway-")
    assert clause["text"] in obj["reply"]


def test_batch_answers_every_line_in_order(run):
    questions = [
        "can i add a pupil on snapchat",
        "",
        "a pupil told me her dad hits her",
        "what time does the canteen open",
        "¿Puedo aceptar una solicitud?",
    ]
    done = run("--school", "oakfield", "--json", "--batch", stdin="\n".join(questions) + "\n")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["question"] for o in lines] == questions
    assert all(set(o) == KEYS for o in lines)
    assert lines[2]["kind"] == "disclosure" and lines[2]["clauses"] == []
    assert lines[3]["kind"] == "fallback"


def test_without_json_prints_the_human_reply(run):
    done = run("--school", "stocks-green", "can i accept a friend request from a pupil")
    assert done.returncode == 0, done.stderr
    assert "Section:" in done.stdout and "Ask:" in done.stdout and not done.stdout.lstrip().startswith("{")


def test_unknown_school_is_a_clear_error_listing_known_ones(run):
    done = run("--school", "atlantis", "--json", "can i add a pupil")
    assert done.returncode == 2
    assert "atlantis" in done.stderr and "oakfield" in done.stderr and "ringway" in done.stderr
    assert done.stdout == ""


def test_unanswered_questions_are_counted_as_knowledge_gaps(run, tmp_path):
    for _ in range(2):
        assert run("--school", "ringway", "--json", "what time does the canteen open").returncode == 0
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"}
    gaps = subprocess.run(
        [sys.executable, "app.py", "gaps", "--school", "ringway"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gaps.returncode == 0, gaps.stderr
    line = next(row for row in gaps.stdout.splitlines() if "canteen" in row)
    assert line.split()[0] == "2"
