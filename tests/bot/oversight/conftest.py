"""The oversight tests share the alert tests' database fixture."""

from tests.support.alert_fixtures import connector, sessions  # noqa: F401  (pytest fixtures)
