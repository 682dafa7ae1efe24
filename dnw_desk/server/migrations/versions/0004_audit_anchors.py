"""audit anchors: the head of each terminal's audit chain, pushed at every sync

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 13:40:00
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
        "audit_anchors",
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("anchored_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["terminals.id"],
            name=op.f("fk_audit_anchors_terminal_id_terminals"),
        ),
        sa.PrimaryKeyConstraint("terminal_id", "entry_id", name=op.f("pk_audit_anchors")),
    )


def downgrade() -> None:
    op.drop_table("audit_anchors")
