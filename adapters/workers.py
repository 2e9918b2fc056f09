"""`serve --workers N`: N server processes on one port, so every core of the machine serves.

Why: one Python process runs one turn's code at a time, so its CPU per turn caps its
throughput; a 2-core server needs two processes to use both cores. The parent brings the
database schema up to date once and starts N workers; each runs the whole web app (its own
database engine, caches and alert dispatcher) and listens on the same port with
SO_REUSEPORT, so the kernel spreads new connections across them: in the load benchmark the
two workers answered 9,379 and 9,581 questions. (A socket inherited from the parent and
accepted by whichever worker was quicker gave one worker 70% of the turns in one
measurement: keep-alive connections stay with the worker that accepted them.)

Nothing is shared in memory. Conversation state, reports and alerts live in the database,
and a conversation may move between processes mid-report (tests/scenarios/test_scale_out.py);
the dispatchers lease alerts, so two never send the same one. SQLite serves several
processes on one machine (WAL); PostgreSQL also serves several machines.

The parent restarts a worker that dies and stops them all on SIGINT or SIGTERM. A worker
that exits by itself within START_GRACE_S of starting has a configuration problem (a
refused encryption key, a database it cannot open, the port taken): restarting would only
loop, so the parent stops the others and exits 1. A worker killed by a signal (the OOM
killer, an operator) is always replaced.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from bot.persistence.db import migrate_sync
from bot.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"  # several workers share a log
START_GRACE_S = 10.0
RESTART_DELAY_S = 1.0


def _spawn(host: str, port: int, workers: int) -> subprocess.Popen:
    # Each worker's sentence encoder uses its share of the cores (knowledge.embedding.THREADS), so N
    # workers never run more model threads than the machine has cores; an operator's own setting stays.
    env = dict(os.environ)
    env.setdefault("EMBEDDING_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    # Own session: a Ctrl-C in the terminal reaches the parent only, which stops each worker once.
    return subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "serve", "--host", host, "--port", str(port), "--as-worker"],
        start_new_session=True,
        env=env,
    )


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    migrate_sync(settings.database_url)  # once, before any worker opens the database
    log.info("serving on http://%s:%s with %d worker processes", host, port, workers)
    running: dict[int, tuple[subprocess.Popen, float]] = {}
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for process, _started in running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # aiohttp shuts down gracefully on SIGTERM

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        for _ in range(workers):
            process = _spawn(host, port, workers)
            running[process.pid] = (process, time.monotonic())
        while running:
            pid, status = os.wait()
            if pid not in running:
                continue
            process, started = running.pop(pid)
            process.returncode = os.waitstatus_to_exitcode(status)
            if stopping:
                continue
            if process.returncode >= 0 and time.monotonic() - started < START_GRACE_S:
                log.error(
                    "worker %d exited with %s right after starting; stopping (see its output above)",
                    pid,
                    process.returncode,
                )
                code = 1
                stop(signal.SIGTERM, None)
                continue
            log.error("worker %d exited with %s; starting another", pid, process.returncode)
            time.sleep(RESTART_DELAY_S)
            replacement = _spawn(host, port, workers)
            running[replacement.pid] = (replacement, time.monotonic())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
