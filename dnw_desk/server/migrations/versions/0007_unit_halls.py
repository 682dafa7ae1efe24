"""unit_credential_halls: the halls each unit credential serves

Credentials issued before this have no hall and are refused until an administrator issues new
ones with ``dnw-server units add NAME --hall CODE`` (a name alone matched every hall's unit of
that name).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_credential_halls",
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("hall", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["unit_credentials.id"],
            name=op.f("fk_unit_credential_halls_credential_id_unit_credentials"),
        ),
        sa.PrimaryKeyConstraint("credential_id", "hall", name=op.f("pk_unit_credential_halls")),
    )


def downgrade() -> None:
    op.drop_table("unit_credential_halls")
