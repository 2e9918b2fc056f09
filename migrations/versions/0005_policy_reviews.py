"""policy review dates set by hand, and the once-a-term reminders about overdue ones

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_reviews",
        sa.Column("school_slug", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(length=256), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("school_slug"),
    )
    op.create_table(
        "policy_review_reminders",
        sa.Column("school_slug", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("school_slug", "term"),
    )


def downgrade() -> None:
    op.drop_table("policy_review_reminders")
    op.drop_table("policy_reviews")
