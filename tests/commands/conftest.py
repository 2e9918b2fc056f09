"""The alert tests' fixtures (tests/support/alert_fixtures.py): a loopback connector and a migrated database."""

from tests.support.alert_fixtures import connector, sessions  # noqa: F401  (pytest fixtures)
