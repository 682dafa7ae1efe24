"""Reading and writing cases, their events and the outbox. Functions take a Connection so the
caller decides the transaction (services put a whole use case in one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import CaseState, Event, EventType
from dnw_desk.store import coverage
from dnw_desk.store.driver import DriverInsert, driver_connection
from dnw_desk.store.tables import (
    case_events,
    cases,
    column_defaults,
    complainant_keys,
    daily_counters,
    outbox,
)


@dataclass(frozen=True)
class CaseRow:
    """A case as lists and detail views show it (cached columns; personal data unmasked —
    masking is the caller's job, see domain.masking)."""

    id: str
    number: str
    verification_code: str
    registered_at: datetime
    clerk_no: str
    category: str
    service_item: str
    lead_unit: str | None
    complainant_kind: str
    complainant_name: str | None
    phone: str | None
    id_number: str | None
    credit_code: str | None
    status: str
    referred_at: datetime | None
    deadline: datetime | None
    deadline_provisional: bool
    calendar_version: str | None
    level: str
    escalated: bool
    returns: int
    fed_back_at: datetime | None
    on_time: bool | None
    closed_at: datetime | None
    window_task: str | None = None


CASE_ROW_COLUMNS = [cases.c[f.name] for f in fields(CaseRow)]


def _case_row(row: Any) -> CaseRow:
    return CaseRow(**row._mapping)


@dataclass(frozen=True)
class CaseFilter:
    statuses: Sequence[str] = ()
    levels: Sequence[str] = ()
    category: str | None = None
    unit: str | None = None
    clerk_no: str | None = None
    registered_from: datetime | None = None  # inclusive
    registered_to: datetime | None = None  # exclusive
    text: str = ""
    waiting_on_window: bool = False  # only cases with a window task (CaseState.window_tasks)
    # Cases whose complainant ``text`` names (found with ``cases_for_complainant_keys``): they
    # match as well as the cases whose text does.
    complainant_case_ids: Sequence[str] = ()


def _conditions(flt: CaseFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if flt.statuses:
        conds.append(cases.c.status.in_(list(flt.statuses)))
    if flt.levels:
        conds.append(cases.c.level.in_(list(flt.levels)))
    if flt.category:
        conds.append(cases.c.category == flt.category)
    if flt.unit:
        conds.append(cases.c.lead_unit == flt.unit)
    if flt.clerk_no:
        conds.append(cases.c.clerk_no == flt.clerk_no)
    if flt.waiting_on_window:
        conds.append(cases.c.window_task.is_not(None))
    if flt.registered_from:
        conds.append(cases.c.registered_at >= flt.registered_from)
    if flt.registered_to:
        conds.append(cases.c.registered_at < flt.registered_to)
    text = flt.text.strip()
    if text:
        # LIKE on one lower-cased column: number, service item and unit (no personal data).
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = cases.c.search_text.like(f"%{escaped}%", escape="\\")
        if flt.complainant_case_ids:
            conds.append(or_(like, cases.c.id.in_(list(flt.complainant_case_ids))))
        else:
            conds.append(like)
    return conds


def cases_for_complainant_keys(conn: Connection, digests: Sequence[bytes]) -> list[str]:
    """The cases indexed under any of these keyed hashes (domain.complainant_search).

    Looked up on their own first: most keystrokes name no complainant, and an empty answer
    keeps the queue's query as cheap as a plain text search."""
    if not digests:
        return []
    query = (
        select(complainant_keys.c.case_id)
        .where(complainant_keys.c.digest.in_(list(digests)))
        .distinct()
    )
    return list(conn.execute(query).scalars())


def search_text_for(number: str, service_item: str, lead_unit: str | None) -> str:
    return " ".join(part for part in (number, service_item, lead_unit or "") if part).lower()


def filtered_select(flt: CaseFilter) -> Select[Any]:
    conds = _conditions(flt)
    query = select(*CASE_ROW_COLUMNS)
    return query.where(and_(*conds)) if conds else query


def list_cases(
    conn: Connection,
    flt: CaseFilter = CaseFilter(),
    *,
    order: str = "deadline",
    limit: int | None = None,
    offset: int = 0,
) -> list[CaseRow]:
    """Cases matching the filter. ``order``: deadline (time left, default), registered, number."""
    query = filtered_select(flt)
    if order == "deadline":
        query = query.order_by(cases.c.deadline.is_(None), cases.c.deadline, cases.c.number)
    elif order == "registered":
        query = query.order_by(cases.c.registered_at.desc())
    elif order == "number":
        query = query.order_by(cases.c.number)
    else:
        raise ValueError(f"unknown order {order!r}")
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_case_row(row) for row in conn.execute(query)]


def count_cases(conn: Connection, flt: CaseFilter = CaseFilter()) -> int:
    conds = _conditions(flt)
    query = select(func.count()).select_from(cases)
    if conds:
        query = query.where(and_(*conds))
    return int(conn.execute(query).scalar_one())


# Hot-path statements are built once: a fresh select() costs ~90 µs in SQLAlchemy's cache-key
# generation on every call, a reused one well under 1 µs.
_GET_CASE = select(*CASE_ROW_COLUMNS).where(cases.c.id == bindparam("case_id"))
_LOAD_EVENTS = (
    select(case_events)
    .where(case_events.c.case_id == bindparam("case_id"))
    .order_by(case_events.c.seq)
)
# The inserts a registration makes go straight to the driver (store.driver).
_INSERT_CASE = DriverInsert(cases)
_INSERT_EVENTS = DriverInsert(case_events)
_INSERT_KEYS = DriverInsert(complainant_keys)


def get_case(conn: Connection, case_id: str) -> CaseRow | None:
    row = conn.execute(_GET_CASE, {"case_id": case_id}).first()
    return _case_row(row) if row else None


def get_case_by_number(conn: Connection, number: str) -> CaseRow | None:
    row = conn.execute(select(*CASE_ROW_COLUMNS).where(cases.c.number == number)).first()
    return _case_row(row) if row else None


def cases_by_identity(
    conn: Connection,
    *,
    id_number: str = "",
    phone: str = "",
    credit_code: str = "",
    since: datetime,
) -> list[CaseRow]:
    """Earlier cases of the same person or enterprise (repeat visitors,
    docs/rules.md#registration)."""
    matches = [
        column == value
        for column, value in (
            (cases.c.id_number, id_number),
            (cases.c.phone, phone),
            (cases.c.credit_code, credit_code),
        )
        if value
    ]
    if not matches:
        return []
    query = (
        select(*CASE_ROW_COLUMNS)
        .where(or_(*matches), cases.c.registered_at >= since)
        .order_by(cases.c.registered_at.desc())
        .limit(20)
    )
    return [_case_row(row) for row in conn.execute(query)]


# --- writing -------------------------------------------------------------------------------


_NEXT_SERIAL = (
    "INSERT INTO daily_counters (hall, window, day, last_serial) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (hall, window, day) DO UPDATE SET last_serial = last_serial + 1 "
    "RETURNING last_serial"
)


def allocate_serial(conn: Connection, hall: str, window: str, day: date) -> int:
    """Next serial for the window's day, in the caller's transaction (so gap-free: a rolled-back
    registration rolls its serial back too)."""
    cursor = driver_connection(conn).execute(_NEXT_SERIAL, (hall, window, f"{day:%Y%m%d}"))
    (serial,) = cursor.fetchone()
    return int(serial)


def daily_serials(conn: Connection, hall: str, window: str) -> dict[str, int]:
    """The last serial of each day (YYYYMMDD) of a window."""
    query = select(daily_counters.c.day, daily_counters.c.last_serial).where(
        daily_counters.c.hall == hall, daily_counters.c.window == window
    )
    return {day: last_serial for day, last_serial in conn.execute(query)}


def set_daily_serials(conn: Connection, hall: str, window: str, serials: dict[str, int]) -> None:
    """Set the last serial of these days (bulk writers that numbered cases themselves)."""
    for day, last_serial in serials.items():
        conn.exec_driver_sql(
            "INSERT INTO daily_counters (hall, window, day, last_serial) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (hall, window, day) DO UPDATE SET last_serial = excluded.last_serial",
            (hall, window, day, last_serial),
        )


def insert_case(conn: Connection, values: dict[str, Any]) -> None:
    _INSERT_CASE(conn, [values])
    coverage.cover_inserted(conn, cases_=[values])


_CASE_ROW_DEFAULTS = column_defaults(cases, [field.name for field in fields(CaseRow)])


def inserted_case_row(values: Mapping[str, Any]) -> CaseRow:
    """The ``CaseRow`` of a row as ``insert_case`` wrote it, without reading it back: columns
    it left out hold their table default, and times are in hall time as a read gives them."""
    row: dict[str, Any] = {}
    for name, default in _CASE_ROW_DEFAULTS.items():
        value = values.get(name, default)
        row[name] = value.astimezone(HALL_TZ) if isinstance(value, datetime) else value
    return CaseRow(**row)


def insert_cases(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Whole case rows, in one executemany."""
    if rows:
        _INSERT_CASE(conn, rows)
        coverage.cover_inserted(conn, cases_=rows)


def insert_complainant_keys(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Search-index rows (``digest``, ``case_id``), in one executemany."""
    if rows:
        _INSERT_KEYS(conn, rows)


def load_events(conn: Connection, case_id: str) -> list[Event]:
    rows = conn.execute(_LOAD_EVENTS, {"case_id": case_id})
    return [
        Event(
            event_id=row.id,
            case_id=row.case_id,
            type=EventType(row.type),
            at=row.at,
            actor=row.actor,
            data=row.data,
        )
        for row in rows
    ]


def insert_events(
    conn: Connection,
    events: Sequence[tuple[Event, int]],
    recorded_at: datetime,
    origin: str = "desk",
) -> None:
    """Events with their sequence numbers, in one executemany."""
    rows = [event_row(event, seq, recorded_at, origin) for event, seq in events]
    _INSERT_EVENTS(conn, rows)
    coverage.cover_inserted(conn, events=rows)


def insert_event_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows made by ``event_row`` (events recorded at different moments), in one executemany."""
    if rows:
        _INSERT_EVENTS(conn, rows)
        coverage.cover_inserted(conn, events=rows)


def event_row(
    event: Event, seq: int, recorded_at: datetime, origin: str = "desk"
) -> dict[str, Any]:
    return {
        "id": event.event_id,
        "case_id": event.case_id,
        "seq": seq,
        "type": event.type.value,
        "at": event.at,
        "actor": event.actor,
        "data": dict(event.data),
        "recorded_at": recorded_at,
        "origin": origin,
    }


# Built once: per-call .where()/.values() would rebuild SQLAlchemy's cache key on every write.
_STORE_STATE = update(cases).where(cases.c.id == bindparam("case_id_"))


def store_state(
    conn: Connection,
    case_id: str,
    state: CaseState,
    event_count: int,
    now: datetime,
    calendar_version: str | None = None,
) -> None:
    """Refresh the cached columns from the folded state (and the calendar version, when the
    deadline was just computed)."""
    extra = {"calendar_version": calendar_version} if calendar_version else {}
    conn.execute(
        _STORE_STATE, {**extra, "case_id_": case_id, **state_values(state, event_count, now)}
    )


def folded_case_row(
    row: Mapping[str, Any],
    state: CaseState,
    event_count: int,
    now: datetime,
    calendar_version: str | None,
) -> dict[str, Any]:
    """A new case's row with its cached columns already folded from its events, to insert
    whole (no update after it)."""
    return {**row, **state_values(state, event_count, now), "calendar_version": calendar_version}


def state_values(state: CaseState, event_count: int, now: datetime) -> dict[str, Any]:
    """The cached columns of a case from its folded state."""
    return {
        "status": state.status.value,
        "lead_unit": state.lead_unit,
        "referred_at": state.clock_started_at,
        "deadline": state.deadline,
        "deadline_provisional": state.deadline_provisional,
        "escalated": state.escalated,
        "returns": len(state.returns),
        "window_task": state.window_tasks[0] if state.window_tasks else None,
        "rectification_from": state.rectification_opened_at
        if state.rectification_running
        else None,
        "rectification_due": state.rectification_deadline if state.rectification_running else None,
        "fed_back_at": state.fed_back_at,
        "on_time": state.on_time,
        "closed_at": state.closed_at,
        "event_count": event_count,
        "updated_at": now,
    }


def pending_op_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())
