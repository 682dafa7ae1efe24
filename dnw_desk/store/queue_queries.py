"""The queue's reads: a window of slim case rows filtered and sorted in SQL, their count, and
the values the filter boxes offer. Rows come back unmasked (``services.queue`` masks them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, case, func, select

from dnw_desk.domain.case import Status
from dnw_desk.store.cases_repo import CaseFilter, filtered_select
from dnw_desk.store.tables import cases


class SortKey(StrEnum):
    TIME_LEFT = "time_left"  # the deadline: the nearest first (no deadline last)
    NUMBER = "number"
    REGISTERED = "registered"
    CATEGORY = "category"
    UNIT = "unit"
    STATUS = "status"
    LEVEL = "level"


_LEVEL_RANK = {"none": 0, "reminder": 1, "warning": 2, "overdue": 3, "escalated": 4}

_COLUMNS = (
    cases.c.id,
    cases.c.number,
    cases.c.registered_at,
    cases.c.complainant_kind,
    cases.c.complainant_name,
    cases.c.category,
    cases.c.lead_unit,
    cases.c.status,
    cases.c.clerk_no,
    cases.c.referred_at,
    cases.c.deadline,
    cases.c.deadline_provisional,
    cases.c.level,
    cases.c.escalated,
    cases.c.returns,
)


def _order(sort: SortKey, descending: bool, clocked: Iterable[Status]) -> list[Any]:
    if sort is SortKey.TIME_LEFT:
        # Cases whose clock runs come first (nearest deadline first); the others after them.
        running = sorted(status.value for status in clocked)
        waiting = case((cases.c.status.in_(running), 0), else_=1)
        deadline = cases.c.deadline.desc() if descending else cases.c.deadline
        return [waiting, cases.c.deadline.is_(None), deadline, cases.c.number]
    if sort is SortKey.LEVEL:
        rank = case(_LEVEL_RANK, value=cases.c.level, else_=0)
        # Most urgent first by default, then the nearest deadline.
        return [rank if descending else rank.desc(), cases.c.deadline, cases.c.number]
    column = {
        SortKey.NUMBER: cases.c.number,
        SortKey.REGISTERED: cases.c.registered_at,
        SortKey.CATEGORY: cases.c.category,
        SortKey.UNIT: cases.c.lead_unit,
        SortKey.STATUS: cases.c.status,
    }[sort]
    return [column.desc() if descending else column, cases.c.number]


def queue_page(
    conn: Connection,
    flt: CaseFilter,
    sort: SortKey,
    descending: bool,
    clocked: Iterable[Status],
    offset: int,
    limit: int,
) -> Sequence[Any]:
    """The rows ``flt`` selects, sorted (``clocked``: the statuses whose deadline counts down,
    which the time-left order puts first), ``limit`` rows from ``offset``."""
    stmt = filtered_select(flt).with_only_columns(*_COLUMNS)
    stmt = stmt.order_by(*_order(sort, descending, clocked))
    return conn.execute(stmt.limit(limit).offset(offset)).all()


def queue_count(conn: Connection, flt: CaseFilter) -> int:
    stmt = filtered_select(flt).with_only_columns(func.count()).select_from(cases)
    return int(conn.execute(stmt).scalar_one())


def filter_choices(conn: Connection) -> tuple[list[str], list[str], list[str]]:
    """Categories, units and clerk numbers present in the store."""
    found = [
        [
            value
            for (value,) in conn.execute(
                select(column).where(column.is_not(None)).distinct().order_by(column)
            )
        ]
        for column in (cases.c.category, cases.c.lead_unit, cases.c.clerk_no)
    ]
    return found[0], found[1], found[2]
