"""halls: the name of each hall, for the public status page

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "halls",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("named_by", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_halls")),
    )


def downgrade() -> None:
    op.drop_table("halls")
