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

from alembic import op
from sqlalchemy import select

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CASES_PER_ENTRY = 2000


def upgrade() -> None:
    from dnw_desk.store import coverage
    from dnw_desk.store.audit import AuditEntry, append_audit_many
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
        append_audit_many(
            conn,
            [AuditEntry(now, "system:upgrade", "audit.baseline", None, {"cases": len(chunk)})],
        )


def downgrade() -> None:
    pass
