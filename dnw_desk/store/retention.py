"""Erasing a closed case's personal data on the desk (the rule is ``domain.retention``).

One case per transaction, its ``pii_purged_at`` and audit entry in the same one: a kill half-way
leaves every case either untouched or fully purged, and the next run picks up where it stopped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, exists, select, update

from dnw_desk.domain.case import EventType, Status
from dnw_desk.domain.retention import purge_event_data
from dnw_desk.store import coverage
from dnw_desk.store.audit import append_audit
from dnw_desk.store.sync_state import sync_conflicts
from dnw_desk.store.tables import case_events, cases, outbox

RETENTION_ACTOR = "system:retention"
TERMINAL_STATUSES = (Status.CLOSED.value, Status.NOT_ACCEPTED.value)


@dataclass(frozen=True)
class DueCase:
    id: str
    number: str
    closed_at: datetime


def due_cases(
    conn: Connection, cutoff: datetime, limit: int, case_id: str | None = None
) -> list[DueCase]:
    """Closed at or before ``cutoff``, not yet purged, and every change of it on the server
    (an unsynced case is never purged: the server would never get its data)."""
    unsynced = exists().where(outbox.c.case_id == cases.c.id)
    query = (
        select(cases.c.id, cases.c.number, cases.c.closed_at)
        .where(
            cases.c.status.in_(TERMINAL_STATUSES),
            cases.c.closed_at.is_not(None),
            cases.c.closed_at <= cutoff,
            cases.c.pii_purged_at.is_(None),
            ~unsynced,
        )
        .order_by(cases.c.closed_at)
        .limit(limit)
    )
    if case_id is not None:
        query = query.where(cases.c.id == case_id)
    rows = conn.execute(query).all()
    return [DueCase(row.id, row.number, row.closed_at) for row in rows]


def purge_case(conn: Connection, case: DueCase, now: datetime, retention_days: int) -> None:
    """Erase one case's personal data inside the caller's write transaction."""
    # Freed bytes are overwritten with zeros, not left readable in the file's free space.
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    for event in conn.execute(
        select(case_events.c.id, case_events.c.type, case_events.c.data).where(
            case_events.c.case_id == case.id
        )
    ).all():
        conn.execute(
            update(case_events)
            .where(case_events.c.id == event.id)
            .values(data=purge_event_data(event.type, event.data))
        )
    conn.execute(
        update(sync_conflicts)
        .where(sync_conflicts.c.case_id == case.id)
        .values(local_version=None, server_version=None)
    )
    conn.execute(
        update(cases)
        .where(cases.c.id == case.id)
        .values(
            complainant_name=None,
            phone=None,
            id_number=None,
            pii_purged_at=now,
        )
    )
    event_ids = conn.execute(
        select(case_events.c.id).where(case_events.c.case_id == case.id)
    ).scalars()
    coverage.cover(conn, events=list(event_ids), cases_=[case.id])
    append_audit(
        conn,
        at=now,
        actor=RETENTION_ACTOR,
        action="privacy.purged",
        case_id=case.id,
        detail={
            "number": case.number,
            "closed_at": case.closed_at.isoformat(),
            "retention_days": retention_days,
        },
    )
    conn.exec_driver_sql("PRAGMA secure_delete = OFF")


def checkpoint(db_path: Path) -> bool:
    """Copy the WAL into the file and empty it, so the old pages (with the erased data) do not
    stay in ``-wal``. Best effort: False when a reader held it back."""
    conn = sqlite3.connect(db_path, timeout=5)
    try:
        busy, _log, _copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return bool(busy == 0)


def attachments_only_of(conn: Connection, case_id: str) -> set[str]:
    """The attachment hashes this case lists that no other case still holding its personal
    data lists: their files go with the case's personal data."""

    def hashes(rows: Any) -> set[str]:
        return {
            str(row.data["sha256"])
            for row in rows
            if isinstance(row.data, dict) and isinstance(row.data.get("sha256"), str)
        }

    attached = EventType.ATTACHMENT_ADDED.value
    own = hashes(
        conn.execute(
            select(case_events.c.data).where(
                case_events.c.case_id == case_id, case_events.c.type == attached
            )
        )
    )
    if not own:
        return set()
    others = hashes(
        conn.execute(
            select(case_events.c.data)
            .join(cases, cases.c.id == case_events.c.case_id)
            .where(
                case_events.c.type == attached,
                case_events.c.case_id != case_id,
                cases.c.pii_purged_at.is_(None),
            )
        )
    )
    return own - others
