"""What botbuilder itself costs per turn: an echo bot behind the same CloudAdapter, auth wrapper
and loopback connector as the real app, measured the same way (server CPU ms per turn, turns/s).

Why: it separates the framework's floor (activity (de)serialisation, the reply POST) from what
this project's bot adds (school gate, state, triage, matcher, rendering). Run twice in one go:
with botbuilder's stock reply path (msrest body + requests in a thread) and with the project's
(adapters.reply_transport), printing the ratio. `python -m benchmarks.framework_floor`.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace

import aiohttp


def serve(port: int, transport: str) -> None:
    from aiohttp import web
    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    from adapters.client_cache import CachingBotFrameworkAuthentication
    from adapters.reply_transport import AiohttpTransport

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext):
            await turn_context.send_activity(f"you said {len(turn_context.activity.text or '')} characters")

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TENANTID="", APP_TYPE="MultiTenant")
    replies = AiohttpTransport() if transport == "aiohttp" else None
    adapter = CloudAdapter(
        CachingBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication(config), transport=replies)
    )
    bot = Echo()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot) or web.Response(status=201)

    async def healthz(_request):
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/readyz", healthz)
    if replies is not None:
        app.on_cleanup.append(lambda _app: replies.close())
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def drive(seconds: float, conversations: int, transport: str) -> dict:
    from benchmarks.load import QUESTIONS, Stats, cpu_seconds, free_port, timed_say
    from benchmarks.loopback import HttpChat, LoopbackConnector

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.framework_floor", "--serve", str(port), "--transport", transport]
    )
    connector = await LoopbackConnector().start()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            stats, stop_at = Stats(), time.perf_counter() + seconds
            cpu_before = cpu_seconds(process.pid)

            async def staff(n: int) -> None:
                chat = HttpChat(
                    http, f"http://127.0.0.1:{port}", connector, conversation_id=f"floor-{n}-{uuid.uuid4().hex[:6]}"
                )
                i = n
                while time.perf_counter() < stop_at:
                    await timed_say(chat, stats, QUESTIONS[i % len(QUESTIONS)])
                    i += 1

            started = time.perf_counter()
            await asyncio.gather(*(staff(n) for n in range(conversations)))
            result = stats.summary(time.perf_counter() - started)
            result["server_cpu_ms_per_turn"] = round(
                (cpu_seconds(process.pid) - cpu_before) * 1000 / max(1, result["turns"]), 2
            )
            print(f"echo bot x{conversations}, {transport} replies: {result}", flush=True)
    finally:
        process.terminate()
        process.wait(10)
        await connector.stop()
    return result


async def compare(seconds: float, conversations: int) -> None:
    stock = await drive(seconds, conversations, "stock")
    ours = await drive(seconds, conversations, "aiohttp")
    print(
        f"aiohttp replies vs stock: {ours['turns_per_s'] / stock['turns_per_s']:.2f}x turns/s, "
        f"{stock['server_cpu_ms_per_turn'] / ours['server_cpu_ms_per_turn']:.2f}x less CPU per turn"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--transport", choices=["stock", "aiohttp"], default="aiohttp")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.transport)
    else:
        asyncio.run(compare(args.seconds, args.conversations))
