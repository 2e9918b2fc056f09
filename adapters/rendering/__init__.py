"""Renderer implementations per channel, and the lookup the runtime uses to pick one."""

from __future__ import annotations

from adapters.rendering.slack import SlackRenderer
from adapters.rendering.teams import TeamsRenderer
from dialogs.rendering import PlainRenderer, Renderer

# Channels whose clients draw Adaptive Cards (the Agents Playground and Web Chat included).
ADAPTIVE_CARD_CHANNELS = frozenset({"msteams", "emulator", "webchat", "directline"})

_TEAMS = TeamsRenderer()
_SLACK = SlackRenderer()
_PLAIN = PlainRenderer()


def renderer_for(channel_id: str | None) -> Renderer:
    if channel_id in ADAPTIVE_CARD_CHANNELS:
        return _TEAMS
    if channel_id == "slack":
        return _SLACK
    return _PLAIN


__all__ = ["renderer_for", "TeamsRenderer", "SlackRenderer", "ADAPTIVE_CARD_CHANNELS"]
