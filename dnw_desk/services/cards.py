"""Alert cards recorded on the timeline: each level a case reaches on its clock (reminder,
yellow warning, red overdue, 督办) becomes one ``level_crossed`` event, dated when it happened —
also a crossing that happened while no desk was open, recorded at the next start — so the
server and every report know each card a unit earned. The second overdue working day is the
automatic 督办 (escalated). A running rectification (整改) has its own ladder on its own
deadline (``track: rectification``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from dnw_desk.domain.alerts import AlertLevel, AlertThresholds, PendingCase, level_at, level_moments
from dnw_desk.domain.case import PENDING_FEEDBACK, RECTIFICATION_TRACK, EventType
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.services.cases import CaseService
from dnw_desk.store import event_queries, review_queries

CARD_NAMES = {
    AlertLevel.REMINDER: "reminder",
    AlertLevel.WARNING: "warning",
    AlertLevel.OVERDUE: "overdue",
    AlertLevel.ESCALATED: "escalated",
}

Step = tuple[str, EventType, dict[str, Any], datetime]


def due_cards(
    conn: Connection,
    now: datetime,
    working_time: WorkingTime,
    thresholds: AlertThresholds | None = None,
    case_ids: Iterable[str] | None = None,
    rectifying: Iterable[str] | None = None,
) -> list[Step]:
    """The ``level_crossed`` steps not yet on the timelines of the pending cases at ``now``
    (of ``case_ids`` only, or all) and of the running rectifications (of ``rectifying``, or
    all)."""
    rows = review_queries.running_clocks(conn, PENDING_FEEDBACK, case_ids)
    recorded = _recorded(conn, {row.id: row.referred_at for row in rows}) if rows else {}
    steps: list[Step] = []
    for row in rows:
        # The clock alone: an escalation by hand is its own event, not a card.
        case = PendingCase(row.id, row.referred_at, row.deadline)
        reached = level_at(case, now, working_time, thresholds)
        if reached < AlertLevel.REMINDER:
            continue
        moments = level_moments(case, working_time, thresholds)
        for level in (AlertLevel.REMINDER, AlertLevel.WARNING, AlertLevel.OVERDUE):
            if level <= reached and CARD_NAMES[level] not in recorded.get(row.id, ()):
                steps.append(_step(row, level, moments[level]))
        escalated = AlertLevel.ESCALATED
        done = recorded.get(row.id, set())
        if reached >= escalated and not row.escalated and "escalated" not in done:
            steps.append(_step(row, escalated, moments[escalated]))
    return steps + _rectification_cards(conn, now, working_time, thresholds, rectifying)


def _rectification_cards(
    conn: Connection,
    now: datetime,
    working_time: WorkingTime,
    thresholds: AlertThresholds | None,
    rectifying: Iterable[str] | None,
) -> list[Step]:
    """A rectification's own ladder: the same levels, from its opening to its deadline."""
    rows = review_queries.running_rectifications(conn, rectifying)
    if not rows:
        return []
    recorded = _recorded(
        conn, {row.id: row.rectification_from for row in rows}, RECTIFICATION_TRACK
    )
    steps: list[Step] = []
    for row in rows:
        case = PendingCase(row.id, row.rectification_from, row.rectification_due)
        reached = level_at(case, now, working_time, thresholds)
        moments = level_moments(case, working_time, thresholds)
        for level, name in CARD_NAMES.items():
            if level <= reached and name not in recorded[row.id]:
                data = {
                    "level": name,
                    "track": RECTIFICATION_TRACK,
                    "unit": row.lead_unit or "",
                    "deadline": row.rectification_due.isoformat(),
                }
                steps.append((row.id, EventType.LEVEL_CROSSED, data, moments[level]))
    return steps


def _step(row: Any, level: AlertLevel, at: datetime) -> Step:
    data = {
        "level": CARD_NAMES[level],
        "unit": row.lead_unit or "",
        "deadline": row.deadline.isoformat(),
    }
    return (row.id, EventType.LEVEL_CROSSED, data, at)


def _recorded(
    conn: Connection, clocks: dict[str, datetime], track: str = ""
) -> dict[str, set[str]]:
    """The card levels of a track already on each case's current clock (recorded at or after
    its start); the track "" is the feedback's own ladder."""
    found: dict[str, set[str]] = defaultdict(set)
    for case_id, at, name in event_queries.level_crossings(conn, list(clocks), track):
        if at >= clocks[case_id]:
            found[case_id].add(name)
    return found


def record_cards(
    service: CaseService,
    working_time: WorkingTime,
    thresholds: AlertThresholds | None = None,
    case_ids: Iterable[str] | None = None,
    rectifying: Iterable[str] | None = None,
) -> list[str]:
    """Record every card due now (on ``case_ids``' feedback clocks, or all); returns the ids
    of the cases that got one."""
    now = service.clock()
    with service.db.read() as conn:
        steps = due_cards(conn, now, working_time, thresholds, case_ids, rectifying)
    return service.record_automatic(steps) if steps else []
