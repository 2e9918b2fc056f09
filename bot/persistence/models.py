"""Every table the assistant keeps, in one place, so the schema reads as a whole.

Alembic migrations in `migrations/` are generated from these classes; a test checks
the two never drift apart. Report content lives only in `Report.content` (encrypted at
rest); every other column is metadata that alerts, dashboards and logs may show.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True)}


# --- Knowledge ---------------------------------------------------------------------------


class School(Base):
    """A school whose policy the assistant answers from (bundled or ingested)."""

    __tablename__ = "schools"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    policy_title: Mapped[str] = mapped_column(String(200), default="Policy")
    review_date: Mapped[str] = mapped_column(String(64), default="not stated")
    ask: Mapped[str] = mapped_column(String(200), default="the Designated Safeguarding Lead")
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClauseRow(Base):
    """One rule of a school's policy; `id` is stable across re-ingestion of the same text."""

    __tablename__ = "clauses"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    school_slug: Mapped[str] = mapped_column(ForeignKey("schools.slug", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(300), default="")
    lead_in: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)


class KnowledgeGap(Base):
    """A question the policy did not answer, kept without who asked, for the policy owner."""

    __tablename__ = "knowledge_gaps"
    __table_args__ = (UniqueConstraint("school_slug", "question_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    school_slug: Mapped[str] = mapped_column(String(64), index=True)
    question_key: Mapped[str] = mapped_column(String(300))  # normalised form, groups repeats
    example: Mapped[str] = mapped_column(String(500))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """'Was this helpful?' answers, by school and intent, without who gave them."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    school_slug: Mapped[str] = mapped_column(String(64), index=True)
    intent: Mapped[str | None] = mapped_column(String(100), nullable=True)
    clause_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyReview(Base):
    """A school's policy review date as set by hand (`app.py school set-review-date`).

    It wins over the date the policy states about itself (front matter or its text), for
    bundled and ingested schools alike, so a school that reviewed its policy can say so."""

    __tablename__ = "policy_reviews"

    school_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(256), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyReviewReminder(Base):
    """The headteacher was reminded of an overdue policy review this term: one row per school
    and term, inserted with the reminder's alert rows, so two dispatchers never both send it."""

    __tablename__ = "policy_review_reminders"

    school_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    term: Mapped[str] = mapped_column(String(32), primary_key=True)  # e.g. 2026-autumn
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Conversation state ------------------------------------------------------------------


class BotStateItem(Base):
    """botbuilder `Storage` items (dialog and user state) as plain JSON with an eTag."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    etag: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConversationRef(Base):
    """Where the bot can reach a user later (proactive messages), per channel and user."""

    __tablename__ = "conversation_refs"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(256), default="")
    user_name: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UserSchool(Base):
    """Which school a user belongs to, when their tenant or workspace hosts several."""

    __tablename__ = "user_schools"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    school_slug: Mapped[str] = mapped_column(String(64))


class TenantSchool(Base):
    """Maps a Teams tenant or Slack workspace to the school(s) it hosts."""

    __tablename__ = "tenant_schools"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    school_slug: Mapped[str] = mapped_column(String(64), primary_key=True)


# --- Reports and alerts ------------------------------------------------------------------


class Report(Base):
    """A submitted safeguarding report. `content` is the encrypted JSON of every answer."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. OAK-2026-0042
    school_slug: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # a kind id of bot.kinds: disclosure | incident | adult_concern
    category: Mapped[str] = mapped_column(String(64), default="")  # e.g. nudes, allegation, low_level
    urgency: Mapped[str] = mapped_column(String(16), default="normal")  # urgent | high | normal
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | acknowledged | closed
    reporter_channel: Mapped[str] = mapped_column(String(32))
    reporter_id: Mapped[str] = mapped_column(String(256))
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    # For concerns about an adult: which role must never see it, and who receives it instead.
    route_to: Mapped[str] = mapped_column(String(16), default="dsl")  # dsl | head | chair
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(256), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(256), nullable=True)
    close_note: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    # Idempotent submit: the dialog's id for this submission, so a retried event or a
    # double-click returns the report already stored instead of creating a second one.
    submission_id: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)


class ReferenceCounter(Base):
    """Per-school, per-year sequence behind human report references (OAK-2026-0042).

    `school_slug` holds the reference prefix (OAK): schools whose slugs begin with the
    same three letters share one sequence, so their references can never collide.
    """

    __tablename__ = "reference_counters"

    school_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RoleAssignment(Base):
    """A safeguarding role holder at a school, on one channel."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("school_slug", "role", "channel", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    school_slug: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))  # dsl | deputy | head | chair
    channel: Mapped[str] = mapped_column(String(32))  # msteams | slack | email
    user_id: Mapped[str] = mapped_column(String(256))  # AAD object id, Slack user id or email
    name: Mapped[str] = mapped_column(String(200), default="")


class SchoolEscalation(Base):
    """A school's own escalation timeouts; schools without a row use the configured defaults."""

    __tablename__ = "school_escalation"

    school_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)  # unacknowledged for this long: next in the chain
    urgent_minutes: Mapped[int] = mapped_column(Integer)


class Alert(Base):
    """Outbox row: one message to one recipient about one report, delivered at least once."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("report_id", "stage", "recipient_channel", "recipient_id", "purpose"),
        Index("ix_alerts_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), nullable=True)
    purpose: Mapped[str] = mapped_column(
        String(32), default="new_report"
    )  # new_report | escalation | receipt | incomplete
    stage: Mapped[int] = mapped_column(Integer, default=0)  # 0 DSL, 1 deputies, 2 head
    recipient_role: Mapped[str] = mapped_column(String(16))
    recipient_channel: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[str] = mapped_column(String(256))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # no child details, ever
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The id the channel gave the sent message (Teams activity id, Slack ts): a retry or a
    # later "acknowledged by" update edits that message instead of posting a second one.
    channel_message_id: Mapped[str | None] = mapped_column(String(256), nullable=True)


class DeliveryAttempt(Base):
    """Every attempt to deliver an alert, for the record."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ReportDraft(Base):
    """A report begun but not yet submitted: never silently dropped (reminders, DSL notice).

    Holds no content: the answers live in dialog state until submission.
    """

    __tablename__ = "report_drafts"

    conversation_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    school_slug: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    reporter_channel: Mapped[str] = mapped_column(String(32))
    reporter_id: Mapped[str] = mapped_column(String(256))
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    dsl_notified_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AuditEntry(Base):
    """Append-only: every view, export and change of a report, by whom and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_channel: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(256))
    school_slug: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))  # view | list | acknowledge | close | export | submit | denied
    report_reference: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str] = mapped_column(String(300), default="")


class ProcessedEvent(Base):
    """Channel event ids already handled (Slack retries), so a retry never acts twice."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
