"""Delivers the alerts outbox: at least once, never twice as two different alerts, never lost.

How a row travels:
  1. claim   - a due `pending` row is leased by pushing its `next_attempt_at` forward and
               bumping `attempts`, conditionally, so only one dispatcher wins it. PostgreSQL
               picks candidates with SELECT ... FOR UPDATE SKIP LOCKED; SQLite, which has one
               writer at a time, relies on the conditional UPDATE alone.
  2. send    - through the recipient's channel's `Sender` (adapters/senders.py: Bot Framework
               `continue_conversation` for Teams, the Slack adapter, or SMTP). Every attempt
               is recorded.
  3. settle  - success marks the row delivered with the channel's message id; failure
               schedules a retry with exponential backoff. Rows are retried until they go
               through: a safeguarding alert is never given up on.
A dispatcher killed mid-send leaves its row leased; the lease expires and another (or the
restarted) dispatcher sends it. The alert id travels in the activity's channel data and
the email Message-ID, and a send whose result was not yet stored is remembered in-process
so a retry updates that message instead of posting another.

Each pass also runs the escalation and unfinished-report sweeps from `bot.alerts.planning`, and, at
most once an hour, the review sweep it is given (`review_sweep`): the overdue-policy-review reminder
of `bot.oversight.review_reminders`, handed in where the dispatcher is built (`bot.runtime.build_dispatcher`)
as its senders are, because oversight reads role holders and records from below this package.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.alerts import conversation_refs
from bot.alerts.planning import ALERTING_PURPOSES, escalate_due, sweep_drafts
from bot.persistence.models import Alert, DeliveryAttempt
from bot.safe_logging import describe_failure
from bot.utc import as_utc
from dialogs.rendering import AlertCard, Button, PlainRenderer, Renderer

log = logging.getLogger(__name__)
CHAT_CHANNELS = ("msteams", "slack")
# Edits of an alert already shown ("acknowledged by ...") are a courtesy, not a page: they
# stop after a few tries (the message may have been deleted). Everything else never stops.
BEST_EFFORT_PURPOSES = ("ack_update",)
BEST_EFFORT_ATTEMPTS = 5


# --- time ------------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand, so escalation timeouts need no waiting."""

    def __init__(self, start: datetime | None = None):
        self._now = as_utc(start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta) -> datetime:
        self._now += timedelta(**delta)
        return self._now


# --- what a sender is given ---------------------------------------------------------------------------


class Unreachable(Exception):
    """The recipient has no conversation the bot can post to (yet): retried."""


class Undeliverable(Exception):
    """A receipt or reminder for someone on a channel that cannot take proactive messages
    (the terminal chat): recorded as failed, never retried. Pages to role holders never get here."""


@dataclass
class Delivery:
    """One alert ready to go: who to, what to show, and the message it may already be."""

    alert_id: int
    purpose: str
    channel: str
    recipient_id: str
    payload: dict
    activity: Activity
    reference: ConversationReference | None = None
    previous_message_id: str | None = None


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> str | None:
        """Deliver, returning the channel's id for the message; raise on any failure."""


# A sweep that queues alerts of its own (the overdue-policy-review reminder): given the sessions and
# the time, it returns how many alerts it queued.
ReviewSweep = Callable[[async_sessionmaker, datetime], Awaitable[int]]


def slack_direct_message(user_id: str) -> ConversationReference:
    """Slack lets an installed app post to a user's direct messages by user id (chat.postMessage
    with channel=<user id>), so a Slack role holder is reachable before they ever write."""
    return ConversationReference(
        channel_id="slack",
        conversation=ConversationAccount(id=user_id),
        user=ChannelAccount(id=user_id),
        bot=ChannelAccount(id=None),
    )


# --- the dispatcher --------------------------------------------------------------------


@dataclass
class PassResult:
    delivered: int = 0
    failed: int = 0
    escalated: int = 0
    reminders: int = 0
    review_reminders: int = 0


@dataclass
class _Claim:
    alert_id: int
    attempts: int  # the attempt number this claim owns


def _default_renderer_for(channel: str) -> Renderer:
    return PlainRenderer()


@dataclass
class Dispatcher:
    sessions: async_sessionmaker
    senders: dict[str, Sender]
    clock: Clock = field(default_factory=SystemClock)
    settings: object | None = None  # escalation and reminder timeouts; None = no sweeps
    renderer_for: Callable[[str], Renderer] = _default_renderer_for
    batch_size: int = 50
    concurrency: int = 10
    lease: timedelta = timedelta(minutes=2)
    send_timeout: float = 30.0
    backoff_base: timedelta = timedelta(seconds=5)
    backoff_max: timedelta = timedelta(minutes=10)
    review_sweep: ReviewSweep | None = None  # bot.runtime.build_dispatcher hands in oversight's reminder
    review_sweep_every: timedelta = timedelta(hours=1)  # overdue policy reviews: once a term, so no hurry
    _review_swept_at: datetime | None = None
    _sent: dict[int, str | None] = field(default_factory=dict)  # sent but not yet recorded

    # -- one pass -----------------------------------------------------------------------
    async def run_once(self) -> PassResult:
        """Run the sweeps, then deliver everything due now."""
        result = PassResult()
        if self.settings is not None:
            result.escalated = await escalate_due(self.sessions, self.settings, self.clock.now())
            result.reminders = await sweep_drafts(self.sessions, self.settings, self.clock.now())
            now = self.clock.now()
            if self.review_sweep is not None and (
                self._review_swept_at is None or now - self._review_swept_at >= self.review_sweep_every
            ):
                result.review_reminders = await self.review_sweep(self.sessions, now)
                self._review_swept_at = now
        limit = asyncio.Semaphore(self.concurrency)

        async def deliver(claim: _Claim):
            async with limit:
                ok = await self._deliver(claim)
                if ok:
                    result.delivered += 1
                else:
                    result.failed += 1

        while claims := await self._claim():
            await asyncio.gather(*(deliver(c) for c in claims))
        return result

    async def run_forever(self, stop: asyncio.Event | None = None, poll_seconds: float = 2.0) -> None:
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as error:  # a database blip must not end alerting; log and go round again
                log.error("dispatcher pass failed; retrying: %s", describe_failure(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass

    # -- claim --------------------------------------------------------------------------
    async def _claim(self) -> list[_Claim]:
        now = self.clock.now()
        lease_until = now + self.lease
        due = (Alert.status == "pending") & (Alert.next_attempt_at <= now)
        async with self.sessions() as session, session.begin():
            query = (
                select(Alert.id, Alert.attempts)
                .where(due)
                .order_by(Alert.next_attempt_at, Alert.id)
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            candidates = (await session.execute(query)).all()
            claims = []
            for alert_id, attempts in candidates:
                won = await session.execute(
                    update(Alert)
                    .where(Alert.id == alert_id, Alert.attempts == attempts, due)
                    .values(attempts=attempts + 1, next_attempt_at=lease_until)
                    .execution_options(synchronize_session=False)
                )
                if won.rowcount == 1:
                    claims.append(_Claim(alert_id, attempts + 1))
        return claims

    # -- send and settle ----------------------------------------------------------------
    def _render(self, alert: Alert) -> Activity:
        renderer = PlainRenderer() if alert.recipient_channel == "email" else self.renderer_for(alert.recipient_channel)
        payload = alert.payload or {}
        if alert.purpose in ALERTING_PURPOSES:
            reference = payload.get("reference", "")
            activity = renderer.alert(
                AlertCard(
                    school_name=payload.get("school", ""),
                    kind=payload.get("kind", ""),
                    urgency=payload.get("urgency", "normal"),
                    reference=reference,
                    reporter=payload.get("reporter", ""),
                    created_at=payload.get("created_at", ""),
                    escalated=bool(payload.get("escalated")),
                    buttons=(
                        Button("Open report", {"action": "open_report", "reference": reference}),
                        Button("Acknowledge", {"action": "acknowledge", "reference": reference}),
                        Button("Overview", {"action": "overview"}),
                    ),
                )
            )
        else:
            activity = renderer.text(payload.get("text", ""))
        if alert.recipient_channel == "msteams":
            data = dict(activity.channel_data) if isinstance(activity.channel_data, dict) else {}
            data["safeguardingAlertId"] = alert.id  # a repeat of the same alert is recognisable as one
            if alert.purpose in ALERTING_PURPOSES:
                data["notification"] = {"alert": True}  # Teams: raise it in the activity feed
            activity.channel_data = data
        return activity

    async def _deliver(self, claim: _Claim) -> bool:
        async with self.sessions() as session:
            alert = await session.get(Alert, claim.alert_id)
            reference = None
            if alert.recipient_channel != "email":
                reference = await conversation_refs.lookup(session, alert.recipient_channel, alert.recipient_id)
            if reference is None and alert.recipient_channel == "slack":
                reference = slack_direct_message(alert.recipient_id)
        error: str | None = None
        message_id: str | None = None
        try:
            if claim.alert_id in self._sent:  # went out, but recording it failed: just record it
                message_id = self._sent[claim.alert_id]
            else:
                sender = self._sender_for(alert.recipient_channel, reference)
                if sender is None:
                    if alert.purpose not in ALERTING_PURPOSES and reference is None:
                        raise Undeliverable(f"channel {alert.recipient_channel!r} cannot be messaged later")
                    raise Unreachable(f"no sender configured for channel {alert.recipient_channel!r}")
                if alert.recipient_channel in CHAT_CHANNELS and reference is None:
                    raise Unreachable("the recipient has not installed the app or messaged the bot yet")
                previous = alert.channel_message_id or (alert.payload or {}).get("message_id")
                delivery = Delivery(
                    alert.id,
                    alert.purpose,
                    alert.recipient_channel,
                    alert.recipient_id,
                    alert.payload or {},
                    self._render(alert),
                    reference,
                    previous,
                )
                message_id = await asyncio.wait_for(sender.send(delivery), timeout=self.send_timeout)
                self._sent[claim.alert_id] = message_id
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            error = f"timed out after {self.send_timeout:g}s"
        except Undeliverable as exc:
            await self._settle(claim, f"undeliverable: {exc}", None, alert.purpose, give_up=True)
            return False
        except Exception as exc:  # any channel failure is retried; the error text carries no report content
            error = f"{type(exc).__name__}: {exc}"[:500]
        await self._settle(claim, error, message_id, alert.purpose)
        return error is None

    def _sender_for(self, channel: str, reference: ConversationReference | None) -> Sender | None:
        """The channel's own sender; any other channel the bot holds a conversation reference for
        (the Emulator, Web Chat) is a Bot Framework channel, so the Teams sender serves it too."""
        if channel in self.senders:
            return self.senders[channel]
        if reference is not None and reference.service_url and channel != "slack":
            return self.senders.get("msteams")
        return None

    async def _settle(
        self, claim: _Claim, error: str | None, message_id: str | None, purpose: str, give_up: bool = False
    ) -> None:
        now = self.clock.now()
        mine = (Alert.id == claim.alert_id) & (Alert.attempts == claim.attempts) & (Alert.status == "pending")
        async with self.sessions() as session, session.begin():
            session.add(DeliveryAttempt(alert_id=claim.alert_id, at=now, ok=error is None, error=error))
            if error is None:
                await session.execute(
                    update(Alert)
                    .where(mine)
                    .values(status="delivered", delivered_at=now, last_error=None, channel_message_id=message_id)
                    .execution_options(synchronize_session=False)
                )
            elif give_up or (purpose in BEST_EFFORT_PURPOSES and claim.attempts >= BEST_EFFORT_ATTEMPTS):
                await session.execute(
                    update(Alert)
                    .where(mine)
                    .values(status="failed", last_error=error)
                    .execution_options(synchronize_session=False)
                )
            else:
                await session.execute(
                    update(Alert)
                    .where(mine)
                    .values(next_attempt_at=now + self._backoff(claim.attempts), last_error=error)
                    .execution_options(synchronize_session=False)
                )
                log.warning("alert %s attempt %s failed: %s", claim.alert_id, claim.attempts, error)
        self._sent.pop(claim.alert_id, None)

    def _backoff(self, attempts: int) -> timedelta:
        delay = min(self.backoff_base * (2 ** max(attempts - 1, 0)), self.backoff_max)
        return delay * (1 + random.random() * 0.1)  # jitter: spread retries after an outage
