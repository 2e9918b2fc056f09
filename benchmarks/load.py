"""`make load-bench`: many concurrent conversations through /api/messages of the real app.

The server is the real thing (`python app.py serve` in a subprocess: Bot Framework
CloudAdapter in anonymous mode, the school gate, the turn loop, dialogs, SqlStorage, the
alert dispatcher), on a fresh SQLite file or a fresh PostgreSQL database. Replies are
captured by a loopback connector (benchmarks.loopback) that the activities' serviceUrl
points at, so every turn includes the bot posting its replies over HTTP as it would to Teams.

Phases, per database:
  qa x1     one conversation asking policy questions back to back -> unloaded turn latency
  qa        C conversations asking policy questions as fast as they get answers (closed loop)
            -> capacity: turns/s at saturation, p50/p99 turn latency, errors, CPU per turn
  rate      policy questions arriving at a fixed RATE per second from N conversations (open loop,
            as staff do: nobody waits for anyone else's answer) -> turns/s achieved, p50/p99
            latency measured from each question's scheduled time (a late send counts against us)
  reports   R conversations each filing a whole disclosure (14 turns) concurrently
            -> reports/min, p50/p99 turn latency, errors
  burst     N conversations brought to the Submit step, then all N press Submit at once
            -> receipts received, rows in `reports` (must both be N: zero lost, zero doubled)

Targets (issue 6, 2-core machine, SQLite): >= 300 Q&A turns/s with p99 < 50 ms (the rate
phase at 300/s), zero errors, zero lost reports in a burst of 1,000.

The server runs as `--workers` processes on one port (default: one per CPU; adapters.workers),
and server CPU is summed over all of them.

    python -m benchmarks.load                       # both databases, default sizes
    python -m benchmarks.load --db sqlite --qa-seconds 20 --burst 1000
    python -m benchmarks.load --workers 1           # one server process
    python -m benchmarks.load --profile             # py-spy the server during the Q&A phase
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from benchmarks.loopback import CONFIRMATION, DISCLOSURE_ANSWERS, HttpChat, LoopbackConnector

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"

BENCH_SCHOOL = "oakfield"  # the server's default school: the loopback tenant is not mapped


def staff_questions(school: str = BENCH_SCHOOL) -> tuple[str, ...]:
    """What staff ask: the labelled evaluation questions for `school`, in file order.

    All of them, including intents its policy does not cover and the out-of-scope ones, so
    fallbacks (each records a knowledge gap: a database write) come as often as in the
    labelled set rather than as often as a hand-picked list happens to make them.
    Safeguarding messages are left out: whole reports are their own phase."""
    data = yaml.safe_load((ROOT / "evaluation" / "questions.yaml").read_text(encoding="utf-8"))
    asked = [
        item["text"]
        for item in (data.get("questions") or []) + (data.get("near_misses") or [])
        if item.get("schools", "all") in (None, "all") or school in item["schools"]
    ]
    return tuple(asked + list(data.get("out_of_scope") or []))


QUESTIONS = staff_questions()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its worker processes (Linux /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents[int(entry.name)] = (int(fields[1]), fields)
    family, total = {pid}, 0.0
    for child, (parent, _fields) in parents.items():
        if parent == pid:
            family.add(child)
    for member in family:
        if member in parents:
            fields = parents[member][1]
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK") if pid in parents else float("nan")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def summary(self, seconds: float) -> dict:
        ms = [x * 1000 for x in self.latencies]
        return {
            "turns": len(ms),
            "seconds": round(seconds, 2),
            "turns_per_s": round(len(ms) / seconds, 1),
            "p50_ms": round(percentile(ms, 50), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(max(ms), 1) if ms else None,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
        }


# --- the server ------------------------------------------------------------------------------------


class Server:
    """`python app.py serve` on a loopback port, with its own database."""

    def __init__(self, database_url: str, key: str, log_path: Path, workers: int = 1):
        self.database_url, self.key, self.log_path, self.workers = database_url, key, log_path, workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft"))}
        env.update(
            DATABASE_URL=self.database_url,
            ENCRYPTION_KEYS=self.key,
            ENVIRONMENT="benchmark",
            MicrosoftAppId="",
            PYTHONUNBUFFERED="1",
        )
        return env

    async def start(self) -> None:
        self.log = open(self.log_path, "ab")
        command = os.environ.get("LOAD_BENCH_SERVER", "app.py").split()  # e.g. a profiling wrapper
        self.process = subprocess.Popen(
            [
                sys.executable,
                *command,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
                try:
                    async with http.get(f"{self.url}/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not become ready within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


async def fresh_database(kind: str, workdir: Path) -> tuple[str, callable]:
    """A new empty database URL and a function that drops it afterwards."""
    if kind == "sqlite":
        path = workdir / f"load-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite+aiosqlite:///{path}", (lambda: None)
    import asyncpg

    name = f"load_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()

    async def drop():
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", drop


async def count_reports(database_url: str) -> int:
    from sqlalchemy import func, select

    from bot.persistence.db import create_engine
    from bot.persistence.models import Report

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(Report))).scalar_one()
    finally:
        await engine.dispose()


# --- the phases --------------------------------------------------------------------------------------


async def timed_say(
    chat: HttpChat,
    stats: Stats,
    text: str | None = None,
    value: dict | None = None,
    expect: str | None = None,
    started: float | None = None,
) -> str:
    started = time.perf_counter() if started is None else started
    try:
        reply = await chat.say(text, value=value)
    except (TimeoutError, aiohttp.ClientError) as exc:
        stats.error(type(exc).__name__)
        return ""
    stats.latencies.append(time.perf_counter() - started)
    if chat.last_status >= 400:
        stats.error(f"http {chat.last_status}")
    elif not reply:
        stats.error("no reply")
    elif "something went wrong" in reply or "couldn't save" in reply:
        stats.error("bot error reply")
    elif expect is not None and expect not in reply:
        stats.error("unexpected reply")
    return reply


async def qa_phase(http, base, connector, conversations: int, seconds: float) -> dict:
    stats = Stats()
    stop_at = time.perf_counter() + seconds

    async def staff(n: int) -> None:
        chat = HttpChat(http, base, connector, conversation_id=f"qa-{n}-{uuid.uuid4().hex[:6]}", user_id=f"29:qa-{n}")
        i = n
        while time.perf_counter() < stop_at:
            await timed_say(chat, stats, QUESTIONS[i % len(QUESTIONS)])
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(staff(n) for n in range(conversations)))
    return stats.summary(time.perf_counter() - started)


WINDOW_S = 5  # the rate phase also reports p99 per window: a stall shows where it happened


async def rate_phase(http, base, connector, rate: float, conversations: int, seconds: float) -> dict:
    """Questions scheduled every 1/rate s, each from a conversation not already waiting for an answer."""
    stats = Stats()
    idle: asyncio.Queue[HttpChat] = asyncio.Queue()
    for n in range(conversations):
        idle.put_nowait(
            HttpChat(http, base, connector, conversation_id=f"rate-{n}-{uuid.uuid4().hex[:6]}", user_id=f"29:rate-{n}")
        )
    in_flight: set[asyncio.Task] = set()

    windows: dict[int, list[float]] = {}

    async def ask(chat: HttpChat, due: float, question: str) -> None:
        await timed_say(chat, stats, question, started=due)
        windows.setdefault(int((due - started) // WINDOW_S), []).append((time.perf_counter() - due) * 1000)
        idle.put_nowait(chat)

    started = time.perf_counter()
    for i in range(int(rate * seconds)):
        due = started + i / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        chat = await idle.get()  # all N busy: the question waits, and its latency counts from `due`
        task = asyncio.create_task(ask(chat, due, QUESTIONS[i % len(QUESTIONS)]))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    await asyncio.gather(*in_flight)
    result = stats.summary(time.perf_counter() - started)
    result.update(
        offered_per_s=rate,
        conversations=conversations,
        p99_ms_by_window=[round(percentile(w, 99), 1) for _, w in sorted(windows.items())],
    )
    return result


async def to_review(chat: HttpChat, stats: Stats) -> None:
    await timed_say(chat, stats, "report a concern")
    await timed_say(chat, stats, value={"action": "choice", "choice": "disclosure"})
    await timed_say(chat, stats, value={"action": "choice", "choice": "no"})
    for answer in DISCLOSURE_ANSWERS:
        await timed_say(chat, stats, answer)


async def reports_phase(http, base, connector, conversations: int) -> dict:
    stats = Stats()
    receipts = 0

    async def staff(n: int) -> None:
        nonlocal receipts
        chat = HttpChat(http, base, connector, conversation_id=f"rep-{n}-{uuid.uuid4().hex[:6]}", user_id=f"29:rep-{n}")
        await to_review(chat, stats)
        if CONFIRMATION in await timed_say(
            chat, stats, value={"action": "choice", "choice": "submit"}, expect=CONFIRMATION
        ):
            receipts += 1

    started = time.perf_counter()
    await asyncio.gather(*(staff(n) for n in range(conversations)))
    elapsed = time.perf_counter() - started
    result = stats.summary(elapsed)
    result.update(reports=conversations, receipts=receipts, reports_per_min=round(receipts / elapsed * 60, 1))
    return result


async def burst_phase(http, base, connector, database_url: str, submissions: int, prepare_concurrency: int) -> dict:
    """N conversations at the Submit step, then N simultaneous Submits; count receipts and rows."""
    before = await count_reports(database_url)
    prepare = Stats()
    chats = [
        HttpChat(http, base, connector, conversation_id=f"burst-{n}-{uuid.uuid4().hex[:6]}", user_id=f"29:burst-{n}")
        for n in range(submissions)
    ]
    gate = asyncio.Semaphore(prepare_concurrency)

    async def ready(chat):
        async with gate:
            await to_review(chat, prepare)

    started = time.perf_counter()
    await asyncio.gather(*(ready(chat) for chat in chats))
    prepared_in = time.perf_counter() - started

    submit = Stats()
    started = time.perf_counter()
    replies = await asyncio.gather(
        *(
            timed_say(chat, submit, value={"action": "choice", "choice": "submit"}, expect=CONFIRMATION)
            for chat in chats
        )
    )
    elapsed = time.perf_counter() - started
    receipts = sum(CONFIRMATION in reply for reply in replies)
    told_not_saved = sum("couldn't save" in reply for reply in replies)
    rows = await count_reports(database_url) - before
    result = submit.summary(elapsed)
    result.update(
        submissions=submissions,
        receipts=receipts,
        told_not_saved=told_not_saved,
        rows=rows,
        lost=receipts - rows if receipts > rows else 0,
        unconfirmed_rows=max(0, rows - receipts),
        prepare_seconds=round(prepared_in, 1),
        prepare_errors=prepare.errors,
    )
    return result


# --- driver ------------------------------------------------------------------------------------------


async def bench_one(kind: str, args, workdir: Path) -> dict:
    from cryptography.fernet import Fernet

    database_url, drop = await fresh_database(kind, workdir)
    connector = await LoopbackConnector().start()
    server = Server(database_url, Fernet.generate_key().decode(), workdir / f"server-{kind}.log", args.workers)
    results: dict = {"database": kind}
    profiler = None
    try:
        await server.start()
        limits = aiohttp.TCPConnector(limit=0, keepalive_timeout=60)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=limits, timeout=timeout) as http:
            warm = HttpChat(http, server.url, connector, conversation_id="warm-up")
            for question in QUESTIONS[:: max(1, len(QUESTIONS) // 24)]:
                await warm.say(question)
            spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
            if args.profile and Path(spy).exists():
                svg = workdir / f"profile-{kind}.txt"
                profiler = subprocess.Popen(
                    [
                        spy,
                        "record",
                        "-f",
                        "raw",
                        "-o",
                        str(svg),
                        "-d",
                        str(int(args.qa_seconds)),
                        "-p",
                        str(server.process.pid),
                        "--nonblocking",
                        "--gil",
                        "--subprocesses",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                results["profile"] = str(svg)
            results["qa_one"] = await qa_phase(http, server.url, connector, 1, min(5.0, args.qa_seconds))
            print(f"[{kind}] qa x1   {json.dumps(results['qa_one'])}  (one conversation: unloaded latency)", flush=True)
            cpu_before, client_before = cpu_seconds(server.process.pid), time.process_time()
            results["qa"] = await qa_phase(http, server.url, connector, args.qa_conversations, args.qa_seconds)
            turns = max(1, results["qa"]["turns"])
            results["qa"]["server_cpu_ms_per_turn"] = round(
                (cpu_seconds(server.process.pid) - cpu_before) * 1000 / turns, 2
            )
            results["qa"]["client_cpu_ms_per_turn"] = round((time.process_time() - client_before) * 1000 / turns, 2)
            print(f"[{kind}] qa x{args.qa_conversations:<4d}{json.dumps(results['qa'])}", flush=True)
            if profiler:
                profiler.wait(60)
            if args.rate:
                cpu_before = cpu_seconds(server.process.pid)
                results["rate"] = await rate_phase(
                    http, server.url, connector, args.rate, args.rate_conversations, args.rate_seconds
                )
                results["rate"]["server_cpu_ms_per_turn"] = round(
                    (cpu_seconds(server.process.pid) - cpu_before) * 1000 / max(1, results["rate"]["turns"]), 2
                )
                print(f"[{kind}] rate    {json.dumps(results['rate'])}", flush=True)
            cpu_before = cpu_seconds(server.process.pid)
            results["reports"] = await reports_phase(http, server.url, connector, args.report_conversations)
            results["reports"]["server_cpu_ms_per_turn"] = round(
                (cpu_seconds(server.process.pid) - cpu_before) * 1000 / max(1, results["reports"]["turns"]), 2
            )
            print(f"[{kind}] reports {json.dumps(results['reports'])}", flush=True)
            if args.burst:
                results["burst"] = await burst_phase(
                    http, server.url, connector, database_url, args.burst, args.prepare_concurrency
                )
                print(f"[{kind}] burst   {json.dumps(results['burst'])}", flush=True)
    finally:
        server.stop()
        await connector.stop()
        if kind == "sqlite" or not args.keep:
            await drop() if asyncio.iscoroutinefunction(drop) else drop()
    return results


def verdict(result: dict) -> list[str]:
    """The issue-6 targets, checked against a SQLite run: 300 questions a second answered, p99 < 50 ms."""
    rate, burst = result.get("rate", {}), result.get("burst")
    served = rate.get("turns_per_s", 0)
    errors = sum(result.get(phase, {}).get("errors", 0) for phase in ("qa", "rate", "reports"))
    lines = [
        f"Q&A turns/s >= 300: {'PASS' if served >= 300 else 'FAIL'} ({served} served of "
        f"{rate.get('offered_per_s')} offered; capacity at saturation {result.get('qa', {}).get('turns_per_s')})",
        f"Q&A p99 < 50 ms at that rate: {'PASS' if rate.get('p99_ms', 1e9) < 50 else 'FAIL'} ({rate.get('p99_ms')} ms)",
        f"zero errors: {'PASS' if errors == 0 else 'FAIL'} ({errors})",
    ]
    if burst:
        ok = burst["rows"] == burst["receipts"] == burst["submissions"]
        lines.append(
            f"burst of {burst['submissions']}: {'PASS' if ok else 'FAIL'} "
            f"(receipts {burst['receipts']}, rows {burst['rows']}, lost {burst['lost']})"
        )
    return lines


async def main_async(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="load-bench-"))
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"load bench: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
        f"(other work on the machine skews latency); server logs and profiles in {workdir}",
        flush=True,
    )
    all_results = []
    for kind in kinds:
        result = await bench_one(kind, args, workdir)
        all_results.append(result)
        for line in verdict(result):
            print(f"[{kind}] {line}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(all_results, indent=2))
    failed = any(r.get("burst") and r["burst"]["rows"] != r["burst"]["receipts"] for r in all_results)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--qa-conversations", type=int, default=16)
    parser.add_argument("--qa-seconds", type=float, default=15)
    parser.add_argument("--rate", type=float, default=300, help="questions per second in the rate phase (0 to skip)")
    parser.add_argument("--rate-conversations", type=int, default=200)
    parser.add_argument("--rate-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: CPUs)")
    parser.add_argument("--report-conversations", type=int, default=50)
    parser.add_argument("--burst", type=int, default=1000, help="simultaneous submissions (0 to skip)")
    parser.add_argument("--prepare-concurrency", type=int, default=32)
    parser.add_argument("--profile", action="store_true", help="py-spy the server during the Q&A phase")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
