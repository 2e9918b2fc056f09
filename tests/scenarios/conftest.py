"""The trust tests drive the real web app with the same loopback connector and HTTP chat helper
as the load benchmark (benchmarks/loopback.py), so the project root must be importable even when
pytest is started as `pytest` rather than `python -m pytest` from the root."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.support.alert_fixtures import connector, sessions  # noqa: F401,E402  (pytest fixtures of the alert scenarios)
