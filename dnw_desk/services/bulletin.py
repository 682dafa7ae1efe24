"""The monthly per-unit bulletin (责任单位月度通报): each unit's referrals, feedback on time,
overdue cases, returns, callbacks and the accountability marks its timelines earned
(domain.accountability), ranked by a documented penalty score, worst first. The figures are
assembled in ``domain.unit_figures``; this module gathers the desk's inputs with SQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection

from dnw_desk.domain.accountability import UnitMark, unit_marks
from dnw_desk.domain.case import PENDING_FEEDBACK, EventType
from dnw_desk.domain.unit_figures import (
    MARK_FIELDS,
    MARK_LABELS,
    MARKING_EVENTS,
    REFERRING_EVENTS,
    SATISFACTION_SCORE,
    UnitBulletin,
    UnitFigures,
    assemble_bulletin,
    month_range,
)
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.store import event_queries, review_queries
from dnw_desk.store.database import Database

# Where the callers have always found them.
__all__ = [
    "MARK_FIELDS",
    "MARK_LABELS",
    "SATISFACTION_SCORE",
    "UnitBulletin",
    "UnitFigures",
    "marks_between",
    "month_range",
    "returns_by_unit",
    "unit_bulletin",
]


def unit_bulletin(
    db: Database, working_time: WorkingTime, month: date, now: datetime
) -> UnitBulletin:
    """The month's figures per unit, ranked by ``UnitFigures.penalty``, worst first."""
    start, end = month_range(month)
    with db.read() as conn:
        referrals = event_queries.events_by_unit(conn, REFERRING_EVENTS, start, end)
        fed = review_queries.fed_back_rows(conn, start, end)
        late_pending = review_queries.late_by_lead_unit(
            conn, PENDING_FEEDBACK, start, min(end, now)
        )
        returned = returns_by_unit(conn, start, end)
        callbacks = event_queries.callbacks_by_lead_unit(conn, start, end)
        marks = marks_between(conn, start, end)
    return assemble_bulletin(
        start,
        now,
        working_time,
        referrals=referrals,
        fed=fed,
        late_pending=late_pending,
        returned=returned,
        callbacks=callbacks,
        marks=marks,
    )


def returns_by_unit(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    return event_queries.events_by_unit(conn, (EventType.UNIT_RETURNED,), start, end)


def marks_between(conn: Connection, start: datetime, end: datetime) -> list[UnitMark]:
    """The accountability marks made in [start, end), from the timelines of the cases that
    had a marking step then (folded whole: a mark depends on what came before)."""
    ids = event_queries.case_ids_with_events(conn, MARKING_EVENTS, start, end)
    marks: list[UnitMark] = []
    for offset in range(0, len(ids), 500):
        for events in event_queries.timelines(conn, ids[offset : offset + 500]).values():
            marks.extend(m for m in unit_marks(events) if start <= m.at < end)
    return marks
