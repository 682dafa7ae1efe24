"""The efficiency office's figures from the server's database: each hall's monthly unit
bulletin, folded from the timelines the desks pushed and the units posted
(``domain.unit_figures``, the same code the desks' bulletins end in)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, or_, select

from dnw_desk.domain.case import PENDING_FEEDBACK
from dnw_desk.domain.unit_figures import UnitBulletin, bulletin_from_timelines, month_range
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.server.ops import timelines_of
from dnw_desk.server.tables import case_events, cases


def _cases_of_month(
    conn: Connection, start: datetime, end: datetime, halls: Iterable[str] | None
) -> dict[str, str]:
    """case id -> hall, for every case with an event in the month or a pending deadline in it."""
    with_events = select(case_events.c.case_id).where(
        case_events.c.at >= start, case_events.c.at < end
    )
    query = select(cases.c.id, cases.c.hall).where(
        or_(
            cases.c.id.in_(with_events),
            (cases.c.status.in_([s.value for s in PENDING_FEEDBACK]))
            & (cases.c.deadline >= start)
            & (cases.c.deadline < end),
        )
    )
    if halls is not None:
        query = query.where(cases.c.hall.in_(sorted(halls)))
    return {row.id: row.hall for row in conn.execute(query)}


def hall_bulletins(
    conn: Connection,
    month: date,
    now: datetime,
    working_time: WorkingTime,
    halls: Iterable[str] | None = None,
) -> dict[str, UnitBulletin]:
    """Each hall's bulletin for the month (only ``halls``, when given)."""
    start, end = month_range(month)
    hall_of = _cases_of_month(conn, start, end, halls)
    by_hall: dict[str, list[str]] = defaultdict(list)
    for case_id, hall in hall_of.items():
        by_hall[hall].append(case_id)
    result: dict[str, UnitBulletin] = {}
    for hall, ids in sorted(by_hall.items()):
        timelines = timelines_of(conn, ids)
        result[hall] = bulletin_from_timelines(timelines.values(), month, now, working_time)
    return result
