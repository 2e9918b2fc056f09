"""The turn loop and everything around it that is not a channel: settings, database,
triage, answer composition, reports, alerts. Nothing here imports a channel adapter."""
