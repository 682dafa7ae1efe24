"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 00:18:25.579875
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("hall", sa.String(length=8), nullable=False),
        sa.Column("window", sa.String(length=4), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("verification_code", sa.String(length=12), nullable=False),
        sa.Column("registered_at", sa.String(length=32), nullable=False),
        sa.Column("clerk_no", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("service_item", sa.Text(), nullable=False),
        sa.Column("lead_unit", sa.Text(), nullable=True),
        sa.Column("complainant_kind", sa.String(length=12), nullable=False),
        sa.Column("complainant_name", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("referred_at", sa.String(length=32), nullable=True),
        sa.Column("deadline", sa.String(length=32), nullable=True),
        sa.Column("deadline_provisional", sa.Boolean(), nullable=False),
        sa.Column("calendar_version", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("fed_back_at", sa.String(length=32), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("closed_at", sa.String(length=32), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("pii_purged_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("hall", "window", "day", "serial", name="uq_cases_serial"),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_category", ["category"], unique=False)
        batch_op.create_index("ix_cases_credit_code", ["credit_code"], unique=False)
        batch_op.create_index("ix_cases_id_number", ["id_number"], unique=False)
        batch_op.create_index("ix_cases_lead_unit", ["lead_unit"], unique=False)
        batch_op.create_index("ix_cases_phone", ["phone"], unique=False)
        batch_op.create_index("ix_cases_registered_at", ["registered_at"], unique=False)
        batch_op.create_index("ix_cases_status_deadline", ["status", "deadline"], unique=False)

    op.create_table(
        "daily_counters",
        sa.Column("hall", sa.String(length=8), nullable=False),
        sa.Column("window", sa.String(length=4), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "window", "day", name=op.f("pk_daily_counters")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_outbox_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("op_id", name=op.f("uq_outbox_op_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["sent_at", "id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox")
    op.drop_table("case_events")
    op.drop_table("settings")
    op.drop_table("daily_counters")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_deadline")
        batch_op.drop_index("ix_cases_registered_at")
        batch_op.drop_index("ix_cases_phone")
        batch_op.drop_index("ix_cases_lead_unit")
        batch_op.drop_index("ix_cases_id_number")
        batch_op.drop_index("ix_cases_credit_code")
        batch_op.drop_index("ix_cases_category")

    op.drop_table("cases")
    op.drop_table("audit_log")
