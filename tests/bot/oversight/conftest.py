"""The oversight tests share the alert tests' database fixture."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "alerts"))

from alert_fixtures import connector, sessions  # noqa: E402,F401  (pytest fixtures)
