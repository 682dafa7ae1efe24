"""complainant search index

Revision ID: 0007
Revises: 0006

Fills the index for the cases already stored, from their complainant columns (and the
enterprise contact person in ``details``), with the same normalisation and keyed hash as a new
registration; cases whose personal data was purged get no entries.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import op

from dnw_desk.domain import complainant_search
from dnw_desk.store.search_secret import load_or_create_secret

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 5000


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
    secret = load_or_create_secret(Path(database).parent)
    rows = bind.exec_driver_sql(
        "SELECT id, complainant_name, phone, id_number, credit_code, "
        "json_extract(details, '$.complainant.contact_person') FROM cases "
        "WHERE pii_purged_at IS NULL"
    )
    insert = sa.text("INSERT INTO complainant_keys (digest, case_id) VALUES (:digest, :case_id)")
    while chunk := rows.fetchmany(BATCH):
        keys = [
            {"digest": digest, "case_id": case_id}
            for case_id, name, phone, id_number, credit_code, contact in chunk
            for digest in complainant_search.digests(
                secret,
                complainant_search.case_values(
                    name=name,
                    phone=phone,
                    id_number=id_number,
                    credit_code=credit_code,
                    contact_person=contact,
                ),
            )
        ]
        if keys:
            bind.execute(insert, keys)


def downgrade() -> None:
    op.drop_table("complainant_keys")
