"""complainant search index

Revision ID: 0007
Revises: 0006

Fills the index for the cases already stored, from their complainant columns (and the
enterprise contact person in ``details``), with the same normalisation and keyed hash as a new
registration (store.complainant_index); cases whose personal data was purged get no entries.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import op

from dnw_desk.store.complainant_index import reindex_complainants
from dnw_desk.store.search_secret import load_or_create_secret

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complainant_keys",
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_complainant_keys_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("digest", "case_id", name=op.f("pk_complainant_keys")),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    database = bind.engine.url.database
    assert database, "the desk database is always a file"
    reindex_complainants(bind, load_or_create_secret(Path(database).parent))


def downgrade() -> None:
    op.drop_table("complainant_keys")
