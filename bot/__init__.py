"""The assistant, channel-neutral: the conversation, the safeguarding record, alerts and persistence
(one subpackage each), the registry of report kinds, triage and the runtime that wires them.
Nothing here imports a channel SDK or adapters/ (make check enforces it)."""
