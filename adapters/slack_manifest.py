"""`python app.py slack-manifest`: the Slack app manifest to paste into "Create New App > From a manifest".

Scopes are the fewest the bot needs: read mentions and DMs, write replies, open DMs for
proactive DSL alerts. Events and interactivity both go to /api/slack.
"""

from __future__ import annotations

import json

from adapters.deployment import DeploymentSettings
from bot.settings import Settings

BOT_SCOPES = ["app_mentions:read", "chat:write", "im:history", "im:read", "im:write", "users:read"]
BOT_EVENTS = ["app_mention", "message.im"]


def slack_manifest(deployment: DeploymentSettings) -> dict:
    endpoint = f"{deployment.base}/api/slack"
    return {
        "display_information": {
            "name": "Safeguarding assistant",
            "description": "Your school's social media and safeguarding policy, and reporting a concern",
            "background_color": "#1f6f8b",
        },
        "features": {
            "bot_user": {"display_name": "Safeguarding assistant", "always_online": True},
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": {"request_url": endpoint, "bot_events": BOT_EVENTS},
            "interactivity": {"is_enabled": True, "request_url": endpoint},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def print_manifest(settings: Settings) -> int:  # noqa: ARG001 - the CLI passes Settings to every command
    print(json.dumps(slack_manifest(DeploymentSettings()), indent=2))
    return 0
