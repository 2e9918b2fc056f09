"""`serve --workers N` (adapters.workers): several processes on one port, supervised by a parent."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet

from benchmarks.loopback import HttpChat, LoopbackConnector
from bot.settings import PROJECT_ROOT
from tests.support.servers import free_port, start_server

pytestmark = pytest.mark.e2e
QUESTION = "Can I be friends with pupils on social media?"


def workers_of(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.add(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


async def ask_everyone(port: int, connector: LoopbackConnector, conversations: int, tag: str) -> list[str]:
    # A new connection per question, as many Bot Framework senders make: the kernel spreads them.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        chats = [
            HttpChat(http, f"http://127.0.0.1:{port}", connector, conversation_id=f"{tag}-{n}", user_id=f"29:{tag}-{n}")
            for n in range(conversations)
        ]
        return await asyncio.gather(*(chat.say(QUESTION) for chat in chats))


@pytest.fixture
async def connector():
    connector = await LoopbackConnector().start()
    yield connector
    await connector.stop()


async def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_two_workers_share_the_port_replace_a_killed_one_and_stop_together(tmp_path, connector):
    port, log = free_port(), tmp_path / "server.log"
    parent = await start_server(
        f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", Fernet.generate_key().decode(), port, log, workers=2
    )
    try:
        assert await wait_for(lambda: len(workers_of(parent.pid)) == 2)
        share = str(max(1, (os.cpu_count() or 1) // 2))  # two workers never run more model threads than cores
        for pid in workers_of(parent.pid):
            assert f"EMBEDDING_THREADS={share}" in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
        for round_ in range(20):  # the second worker may still be loading the policies
            replies = await ask_everyone(port, connector, 20, f"before-{round_}")
            assert all(reply.startswith("No") for reply in replies), replies[:3]
            answered_by = set(re.findall(r"\[(\d+)\] INFO bot\.conversation\.turns: answered", log.read_text()))
            if len(answered_by) == 2:
                break
            await asyncio.sleep(0.5)
        assert answered_by == {str(pid) for pid in workers_of(parent.pid)}  # both workers answered

        victim = min(workers_of(parent.pid))
        os.kill(victim, signal.SIGKILL)
        assert await wait_for(lambda: victim not in workers_of(parent.pid) and len(workers_of(parent.pid)) == 2)
        replies = await ask_everyone(port, connector, 10, "after")
        assert all(reply.startswith("No") for reply in replies)
    finally:
        remaining = workers_of(parent.pid)
        parent.send_signal(signal.SIGTERM)
        code = parent.wait(30)
    assert code == 0
    assert all(not Path(f"/proc/{pid}").exists() for pid in remaining)


def test_a_worker_that_cannot_start_stops_the_server_with_its_reason(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft", "ENCRYPTION"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", ENVIRONMENT="production", MicrosoftAppId=""
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "app.py", "serve", "--port", str(free_port()), "--workers", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "ENCRYPTION_KEYS" in result.stderr + result.stdout
    assert time.monotonic() - started < 30  # no restart loop


def test_a_nonsense_worker_count_is_refused_with_a_clear_message():
    result = subprocess.run(
        [sys.executable, "app.py", "serve", "--workers", "0"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--workers must be between 1 and 64" in result.stderr
