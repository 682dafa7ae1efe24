"""Reading and writing the desk's sync bookkeeping (``dnw_desk.store.sync_state``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dnw_desk.store.database import Database
from dnw_desk.store.sync_state import sync_conflicts, sync_state

SERVER_URL = "server_url"
TERMINAL_ID = "terminal_id"
CREDENTIAL = "credential_store"
PULL_CURSOR = "pull_cursor"
LAST_SYNCED = "last_synced_at"
OFFLINE_SINCE = "offline_since"
LAST_ERROR = "last_error"
# The hall and window the server bound this terminal's credential to, kept at enrolment so the
# desk can tell before pushing that an admin has since moved it to another hall or window.
ENROLLED_HALL = "enrolled_hall"
ENROLLED_WINDOW = "enrolled_window"
# The hall name last reported to the server (for its status page); sent again when it changes.
HALL_NAME_REPORTED = "hall_name_reported"
UNITS_FETCHED = "units_fetched"  # when the hall's unit list was last asked for
# The server's calendar signing key pinned at enrolment ({public_key, fingerprint}), the number
# of the calendar release installed from it, and why the last release was refused (if it was).
CALENDAR_KEY = "calendar_key"
CALENDAR_SEQ = "calendar_seq"
CALENDAR_REFUSED = "calendar_refused"


def get_value(conn: Connection, key: str, default: Any = None) -> Any:
    value = conn.execute(select(sync_state.c.value).where(sync_state.c.key == key)).first()
    return value[0] if value is not None else default


def set_value(conn: Connection, key: str, value: Any, now: datetime) -> None:
    statement = sqlite_insert(sync_state).values(key=key, value=value, updated_at=now)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sync_state.c.key],
            set_={"value": statement.excluded.value, "updated_at": now},
        )
    )


def get_time(conn: Connection, key: str) -> datetime | None:
    raw = get_value(conn, key)
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


@dataclass(frozen=True)
class Enrolment:
    server_url: str
    terminal_id: int
    credential_store: str
    hall: str | None = None  # None: enrolled by a release that did not keep the binding
    window: str | None = None


def enrolment(conn: Connection) -> Enrolment | None:
    url = get_value(conn, SERVER_URL)
    if not url:
        return None
    hall, window = get_value(conn, ENROLLED_HALL), get_value(conn, ENROLLED_WINDOW)
    return Enrolment(
        str(url),
        int(get_value(conn, TERMINAL_ID, 0)),
        str(get_value(conn, CREDENTIAL, "file")),
        str(hall) if hall else None,
        str(window) if window else None,
    )


def enrolment_of(db: Database) -> Enrolment | None:
    """``enrolment`` in its own read."""
    with db.read() as conn:
        return enrolment(conn)


def record_conflict(
    conn: Connection,
    *,
    direction: str,
    code: str,
    message: str,
    now: datetime,
    op_id: str | None = None,
    case_id: str | None = None,
    case_no: str | None = None,
    event_id: str | None = None,
    local_version: Any = None,
    server_version: Any = None,
) -> None:
    conn.execute(
        insert(sync_conflicts).values(
            direction=direction,
            op_id=op_id,
            case_id=case_id,
            case_no=case_no,
            event_id=event_id,
            code=code,
            message=message,
            local_version=local_version,
            server_version=server_version,
            detected_at=now,
        )
    )


@dataclass(frozen=True)
class Conflict:
    id: int
    direction: str
    op_id: str | None
    case_id: str | None
    case_no: str | None
    event_id: str | None
    code: str
    message: str
    local_version: Any
    server_version: Any
    detected_at: datetime


def open_conflicts(conn: Connection) -> list[Conflict]:
    """Unresolved conflicts, oldest first, for the shift lead's list."""
    rows = conn.execute(
        select(
            sync_conflicts.c.id,
            sync_conflicts.c.direction,
            sync_conflicts.c.op_id,
            sync_conflicts.c.case_id,
            sync_conflicts.c.case_no,
            sync_conflicts.c.event_id,
            sync_conflicts.c.code,
            sync_conflicts.c.message,
            sync_conflicts.c.local_version,
            sync_conflicts.c.server_version,
            sync_conflicts.c.detected_at,
        )
        .where(sync_conflicts.c.resolved_at.is_(None))
        .order_by(sync_conflicts.c.id)
    )
    return [Conflict(**row._mapping) for row in rows]


def open_conflict_count(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(sync_conflicts)
            .where(sync_conflicts.c.resolved_at.is_(None))
        ).scalar_one()
    )


def resolve_conflict(conn: Connection, conflict_id: int, by: str, now: datetime) -> bool:
    result = conn.execute(
        update(sync_conflicts)
        .where(sync_conflicts.c.id == conflict_id, sync_conflicts.c.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=by)
    )
    return result.rowcount == 1
