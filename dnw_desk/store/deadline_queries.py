"""What a calendar change reads and writes when it recomputes the deadlines of open cases."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, select, update

from dnw_desk.domain.case import EventType, Status
from dnw_desk.store.tables import case_events, cases


def _clocked(statuses: Iterable[Status]) -> tuple[ColumnElement[bool], ...]:
    return (
        cases.c.status.in_([status.value for status in statuses]),
        cases.c.referred_at.is_not(None),
        cases.c.deadline.is_not(None),
    )


def clocked_cases(conn: Connection, statuses: Iterable[Status]) -> Sequence[Any]:
    """The cases in ``statuses`` referred with a deadline, with what a recomputation needs."""
    return conn.execute(
        select(
            cases.c.id,
            cases.c.number,
            cases.c.registered_at,
            cases.c.referred_at,
            cases.c.deadline,
            cases.c.deadline_provisional,
            cases.c.fed_back_at,
            cases.c.event_count,
        ).where(*_clocked(statuses))
    ).all()


def set_calendar_version(
    conn: Connection, statuses: Iterable[Status], version: str, *, except_ids: Collection[str]
) -> None:
    """Record ``version`` on the cases ``clocked_cases`` reads, but those in ``except_ids``."""
    conn.execute(
        update(cases)
        .where(*_clocked(statuses), cases.c.id.not_in(list(except_ids)))
        .values(calendar_version=version)
    )


def event_types_of_cases_with(
    conn: Connection, marker: EventType, kinds: Iterable[EventType]
) -> Sequence[Any]:
    """(case_id, type) of the events of ``kinds`` on the cases that have a ``marker`` event,
    in timeline order."""
    with_marker = select(case_events.c.case_id).where(case_events.c.type == marker.value)
    return conn.execute(
        select(case_events.c.case_id, case_events.c.type)
        .where(
            case_events.c.case_id.in_(with_marker),
            case_events.c.type.in_([kind.value for kind in kinds]),
        )
        .order_by(case_events.c.case_id, case_events.c.seq)
    ).all()


def set_deadlines(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """The cached deadline columns of each case: ``b_id`` names it; deadline,
    deadline_provisional, calendar_version, on_time, event_count, updated_at."""
    conn.execute(
        update(cases)
        .where(cases.c.id == bindparam("b_id"))
        .values(
            deadline=bindparam("deadline"),
            deadline_provisional=bindparam("deadline_provisional"),
            calendar_version=bindparam("calendar_version"),
            on_time=bindparam("on_time"),
            event_count=bindparam("event_count"),
            updated_at=bindparam("updated_at"),
        ),
        rows,
    )
