"""public surfaces: no unit free text in the case cache; rate limits shared by workers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The unit's opinion text stays in its event; the public cache keeps only its kind.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("opinion_text")
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.create_index("ix_rate_limits_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_table("rate_limits")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opinion_text", sa.Text(), nullable=True))
