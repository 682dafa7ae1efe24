"""alert notifications and handover notes (queue and review)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_notifications",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("cycle", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("notified_at", sa.String(length=32), nullable=False),
        sa.Column("snoozed_until", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_at", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("case_id", "cycle", "level", name=op.f("pk_alert_notifications")),
    )
    op.create_index(
        "ix_alert_notifications_snoozed", "alert_notifications", ["snoozed_until"], unique=False
    )
    op.create_table(
        "handover_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("written_at", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_notes")),
    )
    op.create_index("ix_handover_notes_day", "handover_notes", ["day", "id"], unique=False)
    # The queue's default view lists pending cases by cached level; the level filter uses it.
    op.create_index("ix_cases_level", "cases", ["level"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_level", table_name="cases")
    op.drop_index("ix_handover_notes_day", table_name="handover_notes")
    op.drop_table("handover_notes")
    op.drop_index("ix_alert_notifications_snoozed", table_name="alert_notifications")
    op.drop_table("alert_notifications")
