"""Production without an encryption key: the real server refuses to start, says why and how to fix
it, and never answers a request (no silent plaintext fallback)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from bot.settings import PROJECT_ROOT


def test_production_server_without_a_key_refuses_to_start(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("ENCRYPTION_KEYS",)}
    env.update(
        ENVIRONMENT="production",
        ENCRYPTION_KEYS="",
        MicrosoftAppId="",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    run = subprocess.run(
        [sys.executable, "app.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "Refusing to start: ENVIRONMENT=production but ENCRYPTION_KEYS is empty" in run.stderr
    assert "Fernet.generate_key()" in run.stderr  # how to fix it
    assert "DEVELOPMENT key" not in run.stderr  # no quiet fallback to the development key


def test_with_the_database_unreachable_every_command_says_so_in_one_line_without_the_password(tmp_path):
    """PostgreSQL on a port nobody listens on (the discard port): serve, the workers' parent and the CLI."""
    url = "postgresql+asyncpg://safeguarding:s3cret-pass@127.0.0.1:9/assistant"
    env = {**os.environ, "DATABASE_URL": url, "MicrosoftAppId": "", "ENVIRONMENT": "development"}
    for command in (
        ["serve", "--port", "0"],
        ["serve", "--workers", "2", "--port", "0"],
        ["gaps", "--school", "oakfield"],
        ["retention"],
        ["migrate"],
    ):
        run = subprocess.run(
            [sys.executable, "app.py", *command], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        errors = [line for line in run.stderr.splitlines() if "error" in line.lower() or "Traceback" in line]
        assert run.returncode != 0, command
        assert "Traceback" not in run.stderr, (command, run.stderr[-2000:])
        assert len(errors) == 1 and "127.0.0.1:9/assistant" in errors[0], (command, run.stderr[-2000:])
        assert "s3cret-pass" not in run.stderr + run.stdout
