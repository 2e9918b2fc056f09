"""A flood of forged Bot Framework tokens must not stall the server (issue 13).

`make security-bench` (= `python -m benchmarks.forged_tokens`) starts the real server
(`python app.py serve`, with an app id, on a fresh SQLite file) whose OpenID metadata URL
points at a stand-in here that takes METADATA_DELAY_S to answer, as Microsoft's once did.
It then sends FLOOD forged-token requests at once (well-formed RS256 tokens naming a key
id nobody published, so each one needs the metadata) while timing /healthz every 10 ms,
and prints the /healthz latencies and what the forged requests got. Before issue 13,
botbuilder fetched the metadata with a blocking requests.get per request: three such
requests held /healthz for 8.7 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
FLOOD = 200
METADATA_DELAY_S = 3.0
APP_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def slow_metadata(port: int) -> web.AppRunner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    published = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": "real"}

    async def metadata(request: web.Request):
        await asyncio.sleep(METADATA_DELAY_S)
        return web.json_response({"jwks_uri": f"http://127.0.0.1:{port}/keys"})

    async def keys(request: web.Request):
        return web.json_response({"keys": [published]})

    app = web.Application()
    app.router.add_get("/metadata", metadata)
    app.router.add_get("/keys", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def forged_token(service_url: str) -> str:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "exp": int(time.time()) + 600,
    }
    return jwt.encode(claims, attacker, algorithm="RS256", headers={"kid": "forged"})


async def wait_until_up(session: aiohttp.ClientSession, base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            async with session.get(base + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not start")


async def run() -> int:
    metadata_port, server_port = free_port(), free_port()
    runner = await slow_metadata(metadata_port)
    base = f"http://127.0.0.1:{server_port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppPassword": "not-a-real-secret",
            "BOT_OPENID_METADATA_URL": f"http://127.0.0.1:{metadata_port}/metadata",
            "EMULATOR_OPENID_METADATA_URL": f"http://127.0.0.1:{metadata_port}/metadata",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3",
            "ENVIRONMENT": "development",
        }
        server = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--port", str(server_port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as session:
                await wait_until_up(session, base, server)
                statuses, latencies = await flood(session, base)
        finally:
            server.terminate()
            server.wait(timeout=30)
    await runner.cleanup()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{FLOOD} forged-token requests, metadata answering in {METADATA_DELAY_S:.0f} s: "
        f"{dict(sorted(Counter(statuses).items()))}"
    )
    print(
        f"/healthz during the flood ({len(latencies)} probes): p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms"
    )
    return 0 if p99 < 100 and set(statuses) <= {401} else 1


async def flood(session: aiohttp.ClientSession, base: str) -> tuple[list[int], list[float]]:
    body = {
        "type": "message",
        "id": "a",
        "channelId": "msteams",
        "serviceUrl": "https://smba.example/",
        "from": {"id": "29:x"},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": "c"},
        "text": "hi",
    }
    tokens = [forged_token(body["serviceUrl"]) for _ in range(8)]  # attackers rotate keys; signing 200 is slow here
    done = asyncio.Event()
    latencies: list[float] = []

    async def probe():
        while not done.is_set():
            started = time.perf_counter()
            async with session.get(base + "/healthz") as response:
                await response.read()
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)

    async def forged(n: int) -> int:
        headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        async with session.post(base + "/api/messages", json=body, headers=headers) as response:
            return response.status

    prober = asyncio.create_task(probe())
    await asyncio.sleep(0.2)
    statuses = await asyncio.gather(*(forged(n) for n in range(FLOOD)))
    await asyncio.sleep(0.2)
    done.set()
    await prober
    return list(statuses), latencies


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
