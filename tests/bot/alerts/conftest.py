"""Fixtures for the alert tests; the helpers themselves live in alert_fixtures.py so test
modules can import them by a name no other test folder uses."""

from alert_fixtures import connector, sessions  # noqa: F401  (pytest fixtures)
