"""audit entries cover the rows they wrote: a baseline entry for the rows written before

No schema change. Rows stored before this version were written by entries that did not record
their hashes; ``audit.baseline`` entries record them as they are at the upgrade, so from here on
any change to them is detected (what happened to them before cannot be known).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 13:30:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy import select

from dnw_desk.contract.sqltypes import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CASES_PER_ENTRY = 2000
# The log as this revision has it (0012 later drops prev_hash and stores the hash as bytes).
_AUDIT_LOG = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", UtcDateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("case_id", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def upgrade() -> None:
    from dnw_desk.store import coverage
    from dnw_desk.store.audit import GENESIS_HASH, AuditEntry, chained_rows
    from dnw_desk.store.tables import case_events, cases

    conn = op.get_bind()
    case_ids = list(conn.execute(select(cases.c.id).order_by(cases.c.id)).scalars())
    now = datetime.now(UTC)
    for start in range(0, len(case_ids), CASES_PER_ENTRY):
        chunk = case_ids[start : start + CASES_PER_ENTRY]
        events = conn.execute(
            select(case_events.c.id).where(case_events.c.case_id.in_(chunk))
        ).scalars()
        coverage.cover(conn, events=list(events), cases_=chunk)
        last = conn.execute(
            select(_AUDIT_LOG.c.id, _AUDIT_LOG.c.hash).order_by(_AUDIT_LOG.c.id.desc()).limit(1)
        ).first()
        last_id, last_hash = (last.id, last.hash) if last else (0, GENESIS_HASH)
        entry = AuditEntry(now, "system:upgrade", "audit.baseline", None, {"cases": len(chunk)})
        (row,) = chained_rows(conn, last_id, last_hash, [entry])
        conn.execute(sa.insert(_AUDIT_LOG), [{**row, "prev_hash": last_hash}])


def downgrade() -> None:
    pass
