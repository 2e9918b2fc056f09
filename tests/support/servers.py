"""Real server processes for the trust tests: `python app.py serve` on a loopback port."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import aiohttp

from bot.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_server(db_url: str, key: str, port: int, log_path, workers: int = 1) -> subprocess.Popen:
    """Start the server and wait until /readyz says the database answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft"))}
    env.update(DATABASE_URL=db_url, ENCRYPTION_KEYS=key, ENVIRONMENT="test", MicrosoftAppId="")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"server exited early: {open(log_path).read()[-2000:]}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
