"""What the shift lead's review and the monthly bulletin read from the cases table, and the
handover notes. Functions take a Connection (the caller holds the transaction) and return rows
or plain values; statuses come from ``domain.case.Status``, never as strings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, insert, or_, select

from dnw_desk.domain.case import Status
from dnw_desk.domain.unit_figures import UNASSIGNED
from dnw_desk.store.event_queries import handling_rated
from dnw_desk.store.review_tables import handover_notes
from dnw_desk.store.tables import case_events, cases


def _values(statuses: Iterable[Status]) -> list[str]:
    return sorted(status.value for status in statuses)


def _count(conn: Connection, *conditions: ColumnElement[bool]) -> int:
    return int(
        conn.execute(select(func.count()).select_from(cases).where(*conditions)).scalar_one()
    )


def registered_by_category(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    query = (
        select(cases.c.category, func.count())
        .where(cases.c.registered_at >= start, cases.c.registered_at < end)
        .group_by(cases.c.category)
    )
    counts: dict[str, int] = defaultdict(int)
    for key, count in conn.execute(query):
        counts[key or UNASSIGNED] += int(count)
    return dict(counts)


def registered_count(
    conn: Connection, start: datetime, end: datetime, status: Status | None = None
) -> int:
    """Cases registered in [start, end), those now in ``status`` if given."""
    conditions = [cases.c.registered_at >= start, cases.c.registered_at < end]
    if status is not None:
        conditions.append(cases.c.status == status.value)
    return _count(conn, *conditions)


def fed_back_counts(conn: Connection, start: datetime, end: datetime) -> tuple[int, int]:
    """(fed back, of those on time) in [start, end), in one pass."""
    on_time = func.coalesce(func.sum(case((cases.c.on_time.is_(True), 1), else_=0)), 0)
    query = select(func.count(), on_time).where(
        cases.c.fed_back_at >= start, cases.c.fed_back_at < end
    )
    fed_back, in_time = conn.execute(query).one()
    return int(fed_back), int(in_time)


def fed_back_rows(conn: Connection, start: datetime, end: datetime) -> Sequence[Any]:
    """(lead_unit, referred_at, fed_back_at, on_time) of the cases fed back in [start, end)."""
    return conn.execute(
        select(cases.c.lead_unit, cases.c.referred_at, cases.c.fed_back_at, cases.c.on_time).where(
            cases.c.fed_back_at >= start, cases.c.fed_back_at < end
        )
    ).all()


def clock_rows(conn: Connection, statuses: Iterable[Status]) -> Sequence[Any]:
    """(id, category, lead_unit, referred_at, deadline, escalated) of the cases in
    ``statuses``."""
    return conn.execute(
        select(
            cases.c.id,
            cases.c.category,
            cases.c.lead_unit,
            cases.c.referred_at,
            cases.c.deadline,
            cases.c.escalated,
        ).where(cases.c.status.in_(_values(statuses)))
    ).all()


def late_by_lead_unit(
    conn: Connection, statuses: Iterable[Status], start: datetime, end: datetime
) -> dict[str, int]:
    """Per lead unit, the cases in ``statuses`` whose deadline fell in [start, end)."""
    query = (
        select(cases.c.lead_unit, func.count())
        .where(
            cases.c.status.in_(_values(statuses)),
            cases.c.deadline >= start,
            cases.c.deadline < end,
        )
        .group_by(cases.c.lead_unit)
    )
    counts: dict[str, int] = defaultdict(int)
    for key, count in conn.execute(query):
        counts[key or UNASSIGNED] += int(count)
    return dict(counts)


# --- handover notes ----------------------------------------------------------------------------


def insert_handover(
    conn: Connection, day: date, written_at: datetime, author: str, text: str
) -> None:
    conn.execute(
        insert(handover_notes).values(
            day=day.isoformat(), written_at=written_at, author=author, text=text
        )
    )


def latest_handover(conn: Connection, day: date) -> Any | None:
    """The newest note written on or before ``day``."""
    return conn.execute(
        select(handover_notes)
        .where(handover_notes.c.day <= day.isoformat())
        .order_by(handover_notes.c.day.desc(), handover_notes.c.id.desc())
        .limit(1)
    ).first()


# --- the ledger --------------------------------------------------------------------------------


def ledger_page(
    conn: Connection,
    start: datetime,
    end: datetime,
    after: tuple[Any, str] | None,
    limit: int,
) -> Sequence[Any]:
    """Cases registered in [start, end) after the key ``after`` (registered_at, id), oldest
    first (keyset paging); ``callback_satisfactions`` adds what their callbacks recorded."""
    query = select(
        cases.c.id,
        cases.c.number,
        cases.c.registered_at,
        cases.c.complainant_kind,
        cases.c.complainant_name,
        cases.c.phone,
        cases.c.id_number,
        cases.c.credit_code,
        cases.c.category,
        cases.c.service_item,
        cases.c.lead_unit,
        cases.c.status,
        cases.c.deadline,
        cases.c.fed_back_at,
        cases.c.on_time,
        cases.c.returns,
        cases.c.clerk_no,
    ).where(cases.c.registered_at >= start, cases.c.registered_at < end)
    if after is not None:
        query = query.where(
            or_(
                cases.c.registered_at > after[0],
                and_(cases.c.registered_at == after[0], cases.c.id > after[1]),
            )
        )
    return conn.execute(query.order_by(cases.c.registered_at, cases.c.id).limit(limit)).all()


def callback_satisfactions(conn: Connection, case_ids: Sequence[str]) -> dict[str, str]:
    """Case id → the satisfaction its latest callback (or rating after the feedback) recorded,
    for the cases that had one.
    One query for a page of cases: a correlated subquery per row cost most of a 100 000-row
    ledger export."""
    rows = conn.execute(
        select(case_events.c.case_id, func.json_extract(case_events.c.data, "$.satisfaction"))
        .where(
            case_events.c.case_id.in_(case_ids),
            handling_rated(),
        )
        .order_by(case_events.c.case_id, case_events.c.seq)
    )
    return {case_id: satisfaction or "" for case_id, satisfaction in rows}  # the latest wins


# --- the alert clocks ----------------------------------------------------------------------------


def running_clocks(
    conn: Connection, statuses: Iterable[Status], case_ids: Iterable[str] | None = None
) -> Sequence[Any]:
    """(id, referred_at, deadline, escalated, lead_unit) of the cases in ``statuses`` whose
    feedback clock runs (referred, with a deadline); of ``case_ids``, or all."""
    query = select(
        cases.c.id, cases.c.referred_at, cases.c.deadline, cases.c.escalated, cases.c.lead_unit
    ).where(
        cases.c.status.in_(_values(statuses)),
        cases.c.deadline.is_not(None),
        cases.c.referred_at.is_not(None),
    )
    if case_ids is not None:
        query = query.where(cases.c.id.in_(sorted(case_ids)))
    return conn.execute(query).all()


def running_rectifications(
    conn: Connection, case_ids: Iterable[str] | None = None
) -> Sequence[Any]:
    """(id, rectification_from, rectification_due, lead_unit) of each running 整改 (of
    ``case_ids``, or all)."""
    query = select(
        cases.c.id, cases.c.rectification_from, cases.c.rectification_due, cases.c.lead_unit
    ).where(cases.c.rectification_due.is_not(None), cases.c.rectification_from.is_not(None))
    if case_ids is not None:
        query = query.where(cases.c.id.in_(sorted(case_ids)))
    return conn.execute(query).all()
