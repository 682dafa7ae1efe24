"""the audit log stores each hash once, in 32 bytes

Revision ID: 0012
Revises: 0011

An entry kept the hash of the entry before it (``prev_hash``) beside its own, both as 64-char
hex text. The link is the previous entry's ``hash``, so ``prev_hash`` is dropped; ``hash`` is
kept as the digest's 32 bytes (read back as the same hex, so the chain and the anchors on the
server are unchanged). The backup taken before the upgrade keeps the old form.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _unhex(text: str) -> bytes:
    return bytes.fromhex(text)


def upgrade() -> None:
    # SQLite before 3.41 has no unhex(): the conversion runs as a function of this connection.
    driver = op.get_bind().connection.driver_connection
    driver.create_function("dnw_unhex", 1, _unhex, deterministic=True)
    op.create_table(
        "audit_log_0012",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.execute(
        "INSERT INTO audit_log_0012 (id, at, actor, action, case_id, detail, hash) "
        "SELECT id, at, actor, action, case_id, detail, dnw_unhex(hash) FROM audit_log ORDER BY id"
    )
    op.drop_table("audit_log")
    op.rename_table("audit_log_0012", "audit_log")


def downgrade() -> None:
    raise NotImplementedError("restore the backup taken before the upgrade")
