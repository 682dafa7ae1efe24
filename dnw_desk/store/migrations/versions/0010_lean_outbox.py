"""outbox rows reference their event instead of copying it; answered ops are gone

Revision ID: 0010
Revises: 0009

The outbox kept a copy of every event's wire payload and every op the server had answered.
Now a row names its event (the payload is built from the event when it is pushed) and is
deleted once the server has answered it: ops still waiting keep their ``op_id`` (the server's
idempotency key) and order; answered ones are dropped (a refused one is in sync_conflicts with
both versions). The file is switched to incremental auto-vacuum after this revision, by
``schema.open_database`` (a VACUUM cannot run inside the migration's transaction).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_0010",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_outbox_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_events.id"], name="fk_outbox_event_id_case_events"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    # Pending ops only, in their order; the foreign key refuses an op whose event is missing
    # (the upgrade then fails and the backup taken before it stays the copy to use).
    op.execute(
        "INSERT INTO outbox_0010 (id, op_id, case_id, event_id, created_at) "
        "SELECT id, op_id, case_id, json_extract(payload, '$.event.id'), created_at "
        "FROM outbox WHERE sent_at IS NULL ORDER BY id"
    )
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
    op.rename_table("outbox_0010", "outbox")


def downgrade() -> None:
    raise NotImplementedError("the answered ops and the payload copies are not kept")
