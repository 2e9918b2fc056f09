"""Slack at the edge: verify, de-duplicate, acknowledge at once, then run the turn.

botbuilder-adapters-slack turns Slack payloads into activities and posts replies, but
its own `process()` is not safe enough for safeguarding reports:

- its signature check has no replay window and compares with `==`; we verify first with
  slack_sdk's `SignatureVerifier` (5-minute window, constant-time compare);
- it runs the whole turn before answering the HTTP request, so a slow turn misses
  Slack's 3-second deadline and Slack retries it: a second report. We acknowledge
  straight away, run the turn in a background task, and claim every `event_id` in
  the `processed_events` table first, so a retry is dropped even across processes;
- it rejects every request when no legacy verification token is set, reads the sender
  of an event from `user_id` (Slack sends `user`), takes a button press as coming from
  the bot that posted the message, and leaves app mentions as events. We use its
  helpers and correct those fields, and mark whether a button was pressed in a direct
  message or in a channel (the turn loop never acts on a report where others can read).

The adapter's `slack_client` is pointed at `base_url` (tests use a loopback fake of
Slack's Web API), including `chat.postMessage`, which the library hard-codes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from botbuilder.adapters.slack import SlackAdapter, SlackAdapterOptions, SlackClient, SlackClientOptions
from botbuilder.adapters.slack.slack_event import SlackEvent
from botbuilder.adapters.slack.slack_helper import SlackHelper
from botbuilder.adapters.slack.slack_message import SlackMessage
from botbuilder.adapters.slack.slack_payload import SlackPayload
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes
from slack.web.slack_response import SlackResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from adapters import json_body
from bot.persistence.models import ProcessedEvent
from bot.safe_logging import describe_failure

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
KEEP_EVENT_IDS = timedelta(days=1)
PRUNE_EVERY = 1000  # claims between clear-outs of old event ids
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>\s*")

TurnHandler = Callable[[TurnContext], Awaitable]


class RoutedSlackClient(SlackClient):
    """SlackClient whose every Web API call, chat.postMessage included, goes to `base_url`."""

    def __init__(self, options: SlackClientOptions, base_url: str = SLACK_API):
        super().__init__(options)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    async def post_message(self, message: SlackMessage) -> SlackResponse:
        if not message:
            return None
        form = {"channel": message.channel, "text": message.text or ""}
        if message.thread_ts:
            form["thread_ts"] = message.thread_ts
        if message.blocks:
            form["blocks"] = json.dumps(message.blocks)
        method = "chat.postEphemeral" if message.ephemeral else "chat.postMessage"
        if message.ephemeral:
            form["user"] = message.user
        headers = {"Authorization": f"Bearer {self.options.slack_bot_token}"}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            async with session.post(self.base_url + method, data=form, headers=headers) as res:
                try:
                    data = await res.json()
                except aiohttp.ContentTypeError:
                    data = {}
                return SlackResponse(
                    client=self,
                    http_verb="POST",
                    api_url=self.base_url + method,
                    req_args={"data": form},
                    data=data,
                    headers=res.headers,
                    status_code=res.status,
                ).validate()


def build_slack_adapter(
    signing_secret: str, bot_token: str, base_url: str = SLACK_API, on_turn_error=None
) -> SlackAdapter:
    options = SlackClientOptions(
        slack_verification_token="", slack_bot_token=bot_token, slack_client_signing_secret=signing_secret
    )
    adapter_options = SlackAdapterOptions()
    adapter_options.verify_incoming_requests = True
    return SlackAdapter(RoutedSlackClient(options, base_url), on_turn_error=on_turn_error, options=adapter_options)


class BadSlackRequest(ValueError):
    """A request that passed the signature check but is not a Slack payload we understand."""


def parse_body(content_type: str, body: str) -> dict:
    """Slack sends events as JSON and interactivity as a form with one `payload` field.

    Parsed with adapters.json_body (depth limit, storable text), and the fields the edge reads
    before any turn (`event`, and a button press's `actions`, `user`, `channel`, `team`) are
    checked for type here: a signed body of the wrong shape is a 400, not a 500."""
    try:
        if content_type == "application/json":
            data = json_body.loads(body)
        elif content_type == "application/x-www-form-urlencoded":
            form = {
                json_body.storable(k): json_body.storable(v[0])
                for k, v in parse_qs(body, keep_blank_values=True).items()
            }
            data = {"type": "interactivity", "payload": json_body.loads(form["payload"])} if "payload" in form else form
        else:
            raise BadSlackRequest(f"unsupported content type {content_type!r}")
    except json_body.BadJson as exc:
        raise BadSlackRequest(str(exc)) from exc
    except (KeyError, UnicodeDecodeError) as exc:
        raise BadSlackRequest("malformed body") from exc
    if not isinstance(data, dict):
        raise BadSlackRequest("body is not an object")
    if problem := _shape_problem(data):
        raise BadSlackRequest(problem)
    return data


def _shape_problem(data: dict) -> str | None:
    if data.get("type") == "event_callback" and not isinstance(data.get("event"), dict):
        return "event is not an object"
    if data.get("type") != "interactivity":
        return None
    payload = data["payload"]
    if not isinstance(payload, dict):
        return "payload is not an object"
    actions = payload.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)):
        return "actions is not a list of objects"
    for name in ("user", "channel", "team", "message"):
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            return f"{name} is not an object"
    return None


def event_key(data: dict) -> str | None:
    """What identifies one delivery across Slack's retries."""
    if data.get("type") == "event_callback" and data.get("event_id"):
        return f"slack:{data['event_id']}"
    payload = data.get("payload")
    if isinstance(payload, dict) and payload.get("type") == "block_actions":
        actions = payload.get("actions") or [{}]
        return f"slack:action:{(payload.get('user') or {}).get('id')}:{actions[0].get('action_ts')}"
    return None


async def claim_event(sessions: async_sessionmaker, key: str) -> bool:
    """True the first time `key` is seen by any process sharing the database."""
    try:
        async with sessions() as session, session.begin():
            session.add(ProcessedEvent(event_id=key[:128]))
    except IntegrityError:
        return False
    return True


async def forget_old_events(sessions: async_sessionmaker, older_than: timedelta = KEEP_EVENT_IDS) -> int:
    """Slack retries for about an hour; a day of ids is plenty, and the table stays small."""
    cutoff = datetime.now(UTC) - older_than
    async with sessions() as session, session.begin():
        result = await session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.event_id.like("slack:%"), ProcessedEvent.at < cutoff)
        )
    return result.rowcount or 0


def button_value(text: str | None) -> dict | None:
    """Our Block Kit buttons carry the JSON of a card action; anything else is plain text."""
    if not text or not text.startswith("{"):
        return None
    try:
        value = json_body.loads(text)
    except json_body.BadJson:
        return None
    return value if isinstance(value, dict) and "action" in value else None


async def to_activity(data: dict, client: SlackClient) -> Activity | None:
    """The activity the bot should see, or None for events it should not act on."""
    if data.get("type") == "interactivity":
        payload = data["payload"]
        if (
            payload.get("type") != "block_actions"
            or not payload.get("actions")
            or not payload.get("channel")
            or not isinstance(payload.get("message"), dict)
        ):
            return None  # only presses of our buttons in a conversation
        activity = SlackHelper.payload_to_activity(SlackPayload(payload=json.dumps(payload)))
        activity.from_property.id = (payload.get("user") or {}).get("id")  # the person, not the bot's message
        value = button_value(activity.text)
        if value is not None:  # a card button: no text, only `value`, exactly as Teams sends it
            activity.type, activity.text, activity.value = ActivityTypes.message, None, value
        activity.conversation.tenant_id = (payload.get("team") or {}).get("id")
        activity.conversation.conversation_type = _conversation_type(payload["channel"].get("id") or "")
        activity.recipient.id = client.identity
        return activity

    if data.get("type") != "event_callback" or not isinstance(data.get("event"), dict):
        return None
    event = data["event"]
    if event.get("bot_id") or event.get("subtype"):  # our own posts, edits, joins
        return None
    kind = event.get("type")
    if kind == "message" and event.get("channel_type") != "im":
        return None  # in channels the bot answers only when mentioned (app_mention)
    if kind not in ("message", "app_mention"):
        return None
    activity = await SlackHelper.event_to_activity(SlackEvent(**event), client)
    activity.from_property.id = event.get("user")
    activity.type, activity.name = ActivityTypes.message, None
    activity.text = MENTION.sub("", event.get("text") or "").strip()
    activity.conversation.tenant_id = data.get("team_id") or event.get("team")
    activity.conversation.conversation_type = "personal" if event.get("channel_type") == "im" else "channel"
    return activity


def _conversation_type(channel_id: str) -> str:
    """A button pressed in a direct message (its channel id starts with D) or where others can read."""
    return "personal" if channel_id.startswith("D") else "channel"


class SlackEndpoint:
    """The aiohttp handler for POST /api/slack."""

    def __init__(
        self,
        adapter: SlackAdapter,
        signing_secret: str,
        sessions: async_sessionmaker,
        on_turn: TurnHandler,
        verifier: SignatureVerifier | None = None,
    ):
        self.adapter = adapter
        self.sessions = sessions
        self.on_turn = on_turn
        self.verifier = verifier or SignatureVerifier(signing_secret)
        self.tasks: set[asyncio.Task] = set()
        self.claims = 0

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not (timestamp.isdigit() and signature and self.verifier.is_valid(raw, timestamp, signature)):
            log.warning("slack: rejected a request with a bad or stale signature")
            return web.Response(status=401, text="invalid signature")
        try:
            data = parse_body(request.content_type, raw.decode("utf-8"))
        except (BadSlackRequest, UnicodeDecodeError) as exc:
            return web.Response(status=400, text=f"bad request: {exc}")
        if data.get("type") == "url_verification":
            return web.json_response({"challenge": data.get("challenge", "")})
        key = event_key(data)
        if key:
            self.claims += 1
            if self.claims % PRUNE_EVERY == 1:
                await forget_old_events(self.sessions)
        if key and not await claim_event(self.sessions, key):
            log.info("slack: dropped a retried delivery (retry %s)", request.headers.get("X-Slack-Retry-Num", "?"))
            return web.Response(status=200)
        self.run_later(data)
        return web.Response(status=200)  # within Slack's 3 seconds; the turn runs after

    def run_later(self, data: dict) -> None:
        task = asyncio.create_task(self.process(data))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def process(self, data: dict) -> None:
        try:
            if not self.adapter.slack_logged_in:
                await self.adapter.slack_client.login_with_slack()
                self.adapter.slack_logged_in = True
            activity = await to_activity(data, self.adapter.slack_client)
            if activity is None:
                return
            await self.adapter.run_pipeline(TurnContext(self.adapter, activity), self.on_turn)
        except Exception as error:  # noqa: BLE001 - a background turn must log, never vanish
            log.error("slack: turn failed: %s", describe_failure(error))

    async def drain(self) -> None:
        """Let in-flight turns finish at shutdown, so an acknowledged report is not cut off."""
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=30)
