"""JSON stored compact and in UTF-8; the case row no longer copies its registration

Revision ID: 0013
Revises: 0012

- Event data and audit details were stored as ``json.dumps`` writes by default: spaces after
  separators and every Chinese character as a six-byte ``\\uXXXX`` escape. They are rewritten
  compact and in UTF-8 (``contract.sqltypes.stored_json``). The values are the same, so the
  hashes that cover them (computed over the parsed values) are unchanged.
- ``cases.details`` held a copy of the ``registered`` event's data; it is dropped, and what read
  it reads the event.
- The audit log covered each case row with a hash that included ``details``: ``audit.baseline``
  entries record every case row's hash as it is now, so tampering stays detectable.

The backup taken before the upgrade keeps the old form.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from dnw_desk.contract.sqltypes import HexDigest, UtcDateTime, stored_json
from dnw_desk.store.audit import GENESIS_HASH, canonical_row, chain_hash
from dnw_desk.store.coverage import row_hash

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CASES_PER_ENTRY = 2000
# The tables as this revision leaves them (later revisions may change them again).
_AUDIT_LOG = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", UtcDateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("case_id", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("hash", HexDigest()),
)
_CASE_COLUMNS = (
    "id",
    "number",
    "hall",
    "window",
    "day",
    "serial",
    "verification_code",
    "registered_at",
    "clerk_no",
    "category",
    "service_item",
    "complainant_kind",
    "complainant_name",
    "phone",
    "id_number",
    "credit_code",
    "search_text",
    "pii_purged_at",
)
_CASES = sa.table(
    "cases",
    *(
        sa.column(name, UtcDateTime() if name in ("registered_at", "pii_purged_at") else None)
        for name in _CASE_COLUMNS
    ),
)


def _compact(text: str | None) -> str | None:
    return None if text is None else stored_json(json.loads(text))


def upgrade() -> None:
    conn = op.get_bind()
    driver = conn.connection.driver_connection
    driver.create_function("dnw_compact_json", 1, _compact, deterministic=True)
    op.execute("UPDATE case_events SET data = dnw_compact_json(data)")
    op.execute("UPDATE audit_log SET detail = dnw_compact_json(detail)")
    op.drop_column("cases", "details")
    _baseline(conn)


def _baseline(conn: sa.Connection) -> None:
    """One ``audit.baseline`` entry per chunk of cases, carrying their rows' hashes."""
    case_ids = list(conn.execute(sa.select(_CASES.c.id).order_by(_CASES.c.id)).scalars())
    last = conn.execute(
        sa.select(_AUDIT_LOG.c.id, _AUDIT_LOG.c.hash).order_by(_AUDIT_LOG.c.id.desc()).limit(1)
    ).first()
    last_id, last_hash = (last.id, last.hash) if last else (0, GENESIS_HASH)
    now = datetime.now(UTC)
    for start in range(0, len(case_ids), CASES_PER_ENTRY):
        chunk = case_ids[start : start + CASES_PER_ENTRY]
        rows = conn.execute(sa.select(_CASES).where(_CASES.c.id.in_(chunk))).all()
        hashes = {row.id: row_hash(row._mapping, _CASE_COLUMNS) for row in rows}
        detail: dict[str, Any] = {"cases": len(chunk), "rows": {"e": {}, "c": hashes}}
        last_id += 1
        last_hash = chain_hash(
            last_hash,
            canonical_row(last_id, now, "system:upgrade", "audit.baseline", None, detail),
        )
        conn.execute(
            sa.insert(_AUDIT_LOG),
            [
                {
                    "id": last_id,
                    "at": now,
                    "actor": "system:upgrade",
                    "action": "audit.baseline",
                    "case_id": None,
                    "detail": detail,
                    "hash": last_hash,
                }
            ],
        )


def downgrade() -> None:
    raise NotImplementedError("restore the backup taken before the upgrade")
