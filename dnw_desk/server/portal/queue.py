"""A unit's work queue: the cases referred to it (as lead or co-unit, or under rectification) in
the halls it serves, with the countdown in working time and the alert level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from dnw_desk.domain.alerts import AlertLevel, PendingCase, level_at
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.case import PENDING_FEEDBACK, Status
from dnw_desk.domain.event_types import EventType
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_
from dnw_desk.server.tables import case_events, cases
from dnw_desk.server.units import Unit

PAGE_SIZE = 50


class QueueFilter(StrEnum):
    OPEN = "open"
    TO_SIGN = "to_sign"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    OVERDUE = "overdue"
    RECTIFICATION = "rectification"


FILTER_LABELS = {
    QueueFilter.OPEN: N_("All open"),
    QueueFilter.TO_SIGN: N_("To sign"),
    QueueFilter.IN_PROGRESS: N_("In progress"),
    QueueFilter.RETURNED: N_("Returned"),
    QueueFilter.OVERDUE: N_("Past the deadline"),
    QueueFilter.RECTIFICATION: N_("Rectification"),
}


class QueueOrder(StrEnum):
    DUE = "due"  # due soonest first
    NEWEST = "newest"


@dataclass(frozen=True)
class QueueRow:
    number: str
    hall: str
    category: str
    service_item: str
    status: Status
    role: str  # lead | co | rectification
    registered_at: datetime
    deadline: datetime | None
    left: timedelta | None  # working time left; negative when overdue
    level: AlertLevel | None


@cache
def working_time() -> WorkingTime:
    """The server's working time: the national calendar and the standard opening hours."""
    return WorkingTime(WorkingCalendar())


def unit_condition(unit: Unit) -> ColumnElement[bool]:
    """The cases that are this unit's: in its halls, and its as lead, co-unit or rectifier."""
    return and_(
        cases.c.hall.in_(sorted(unit.halls)),
        or_(
            cases.c.lead_unit == unit.name,
            cases.c.co_units.like(f"%|{_like_escaped(unit.name)}|%", escape="\\"),
            cases.c.rectification_unit == unit.name,
            and_(cases.c.status == Status.RETURNED.value, returned_by(unit.name, latest=True)),
        ),
    )


def returned_by(unit_name: str, *, latest: bool = False) -> ColumnElement[bool]:
    """Cases this unit returned to the window (``latest``: the case's last return was its). A
    return clears the lead unit until the window decides, so without this the unit would lose
    sight of the case it just returned."""
    mine = case_events.alias("mine")
    found = and_(
        mine.c.case_id == cases.c.id,
        mine.c.type == EventType.UNIT_RETURNED.value,
        mine.c.data["unit"].as_string() == unit_name,
    )
    if latest:
        later = case_events.alias("later")
        found = and_(
            found,
            ~exists().where(
                later.c.case_id == mine.c.case_id,
                later.c.type == EventType.UNIT_RETURNED.value,
                later.c.position > mine.c.position,
            ),
        )
    return exists().where(found)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_condition(which: QueueFilter, unit: Unit, now: datetime) -> ColumnElement[bool]:
    pending = [s.value for s in PENDING_FEEDBACK]
    if which is QueueFilter.TO_SIGN:
        return and_(cases.c.status == Status.REFERRED.value, cases.c.lead_unit == unit.name)
    if which is QueueFilter.IN_PROGRESS:
        return cases.c.status.in_([Status.ACCEPTED.value, Status.OPINION_GIVEN.value])
    if which is QueueFilter.RETURNED:
        return cases.c.status == Status.RETURNED.value
    if which is QueueFilter.OVERDUE:
        return and_(cases.c.status.in_(pending), cases.c.deadline < now)
    if which is QueueFilter.RECTIFICATION:
        return cases.c.rectification_unit == unit.name
    return cases.c.status.notin_([Status.CLOSED.value, Status.NOT_ACCEPTED.value])


def unit_queue(
    conn: Connection,
    unit: Unit,
    now: datetime,
    which: QueueFilter = QueueFilter.OPEN,
    order: QueueOrder = QueueOrder.DUE,
    page: int = 0,
) -> tuple[list[QueueRow], bool]:
    """One page of the queue, and whether another follows."""
    if not unit.halls:
        return [], False
    ordering: list[Any] = (
        [cases.c.deadline.is_(None), cases.c.deadline, cases.c.registered_at.desc()]
        if order is QueueOrder.DUE
        else [cases.c.registered_at.desc()]
    )
    query = (
        select(
            cases.c.number,
            cases.c.hall,
            cases.c.category,
            cases.c.service_item,
            cases.c.status,
            cases.c.lead_unit,
            cases.c.co_units,
            cases.c.rectification_unit,
            cases.c.registered_at,
            cases.c.referred_at,
            cases.c.deadline,
        )
        .where(unit_condition(unit), _filter_condition(which, unit, now))
        .order_by(*ordering, cases.c.number)
        .limit(PAGE_SIZE + 1)
        .offset(page * PAGE_SIZE)
    )
    rows = conn.execute(query).all()
    return [_row(row, unit, now) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def _row(row: Any, unit: Unit, now: datetime) -> QueueRow:
    status = Status(row.status)
    # A case the unit returned has no lead unit until the window decides: still the unit's own.
    co = row.lead_unit != unit.name and f"|{unit.name}|" in (row.co_units or "")
    role = "co" if co else "lead"
    if row.rectification_unit == unit.name and status not in PENDING_FEEDBACK:
        role = "rectification"
    left: timedelta | None = None
    level: AlertLevel | None = None
    if status in PENDING_FEEDBACK and row.deadline is not None:
        clock = working_time()
        left = (
            clock.left(now, row.deadline)
            if now <= row.deadline
            else -clock.between(row.deadline, now)
        )
        if row.referred_at is not None:
            level = level_at(PendingCase(row.number, row.referred_at, row.deadline), now, clock)
    return QueueRow(
        row.number,
        row.hall,
        row.category,
        row.service_item,
        status,
        role,
        row.registered_at,
        row.deadline,
        left,
        level,
    )
