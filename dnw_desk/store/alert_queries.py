"""The alert ladder's reads and writes: the cached ``level`` of the cases and the
``alert_notifications`` record of what was notified, snoozed and acknowledged. Functions take a
Connection (the caller holds the transaction) and return rows or plain values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    bindparam,
    func,
    insert,
    not_,
    or_,
    select,
    type_coerce,
    update,
)

from dnw_desk.domain.case import Status
from dnw_desk.store.review_tables import alert_notifications
from dnw_desk.store.tables import cases

TASK_CYCLE_PREFIX = "task:"  # the cycle of a window task's notification
# A notification's key as bound parameters: {"k_case", "k_cycle", "k_level"}.
NotificationKey = Mapping[str, object]


def _values(statuses: Iterable[Status]) -> list[str]:
    return sorted(status.value for status in statuses)


def _among(query: Any, column: Any, case_ids: Iterable[str] | None) -> Any:
    """``query`` limited to ``case_ids`` (None: all cases)."""
    return query if case_ids is None else query.where(column.in_(sorted(case_ids)))


def clocked_cases(
    conn: Connection, statuses: Iterable[Status], case_ids: Iterable[str] | None = None
) -> Sequence[Any]:
    """The cases in ``statuses`` whose clock runs (of ``case_ids``, or all), with what a
    notification shows."""
    query = select(
        cases.c.id,
        cases.c.number,
        cases.c.referred_at,
        cases.c.deadline,
        cases.c.escalated,
        cases.c.level,
        cases.c.lead_unit,
        cases.c.service_item,
    ).where(
        cases.c.status.in_(_values(statuses)),
        cases.c.deadline.is_not(None),
        cases.c.referred_at.is_not(None),
    )
    return conn.execute(_among(query, cases.c.id, case_ids)).all()


def clocks(conn: Connection, statuses: Iterable[Status]) -> Sequence[Any]:
    """(id, referred_at, deadline, escalated) of the cases in ``statuses`` whose clock runs:
    what their alert levels follow from. The times come as stored (UTC text, ``to_utc_text``):
    every tick compares them and computes nothing with them, and parsing 2 000+ pairs held the
    interpreter lock beside the clerk's screen."""
    return conn.execute(
        select(
            cases.c.id,
            type_coerce(cases.c.referred_at, String).label("referred_at"),
            type_coerce(cases.c.deadline, String).label("deadline"),
            cases.c.escalated,
        ).where(
            cases.c.status.in_(_values(statuses)),
            cases.c.deadline.is_not(None),
            cases.c.referred_at.is_not(None),
        )
    ).all()


def raised_levels_outside(
    conn: Connection, statuses: Iterable[Status], none: str, case_ids: Iterable[str] | None = None
) -> list[str]:
    """Cases not in ``statuses`` (or without a deadline) whose cached level is not ``none``
    (of ``case_ids``, or all)."""
    query = select(cases.c.id).where(
        cases.c.level != none,
        or_(not_(cases.c.status.in_(_values(statuses))), cases.c.deadline.is_(None)),
    )
    query = _among(query, cases.c.id, case_ids)
    return [case_id for (case_id,) in conn.execute(query)]


def set_levels(conn: Connection, moved: Sequence[Mapping[str, str]]) -> None:
    """Write the cached levels: each item is {"case_id", "new_level"}."""
    conn.execute(
        update(cases)
        .where(cases.c.id == bindparam("case_id"))
        .values(level=bindparam("new_level")),
        moved,
    )


def window_task_cases(conn: Connection) -> Sequence[Any]:
    """The cases waiting on the window, with what a notification shows."""
    return conn.execute(
        select(
            cases.c.id,
            cases.c.number,
            cases.c.window_task,
            cases.c.returns,
            cases.c.deadline,
            cases.c.lead_unit,
            cases.c.service_item,
        ).where(cases.c.window_task.is_not(None))
    ).all()


def notified_task_cycles(conn: Connection, case_ids: Sequence[str]) -> set[tuple[str, str]]:
    """(case id, cycle) of the window-task notifications already made for these cases."""
    query = select(alert_notifications.c.case_id, alert_notifications.c.cycle).where(
        alert_notifications.c.case_id.in_(case_ids),
        alert_notifications.c.cycle.like(TASK_CYCLE_PREFIX + "%"),
    )
    return {(case_id, cycle) for case_id, cycle in conn.execute(query)}


def notified_levels(
    conn: Connection, statuses: Iterable[Status], case_ids: Iterable[str] | None = None
) -> dict[tuple[str, str], int]:
    """Highest notified level per (case, cycle), for the cases in ``statuses`` (of
    ``case_ids``, or all)."""
    in_status = _among(
        select(cases.c.id).where(cases.c.status.in_(_values(statuses))), cases.c.id, case_ids
    )
    query = (
        select(
            alert_notifications.c.case_id,
            alert_notifications.c.cycle,
            func.max(alert_notifications.c.level),
        )
        .where(alert_notifications.c.case_id.in_(in_status))
        .group_by(alert_notifications.c.case_id, alert_notifications.c.cycle)
    )
    return {(case_id, cycle): int(level) for case_id, cycle, level in conn.execute(query)}


def insert_notifications(conn: Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """Each row: case_id, cycle, level, notified_at."""
    conn.execute(insert(alert_notifications), rows)


def _key_matches(level: Any) -> Any:
    return (
        alert_notifications.c.case_id == bindparam("k_case"),
        alert_notifications.c.cycle == bindparam("k_cycle"),
        level,
    )


def clear_lower_snoozes(conn: Connection, keys: Sequence[NotificationKey]) -> None:
    """Unsnooze the levels below each key's on the same case and cycle."""
    conn.execute(
        update(alert_notifications)
        .where(*_key_matches(alert_notifications.c.level < bindparam("k_level")))
        .values(snoozed_until=None),
        keys,
    )


def mark_notifications(conn: Connection, keys: Sequence[NotificationKey], **values: object) -> None:
    """Set ``values`` (snoozed_until, acknowledged_at, acknowledged_by) on these notifications."""
    conn.execute(
        update(alert_notifications)
        .where(*_key_matches(alert_notifications.c.level == bindparam("k_level")))
        .values(**values),
        keys,
    )


def due_snoozes(conn: Connection, now: datetime) -> Sequence[Any]:
    """Snoozed, unacknowledged notifications due at ``now``, with their case as it is now."""
    query = (
        select(
            alert_notifications.c.case_id,
            alert_notifications.c.cycle,
            alert_notifications.c.level,
            cases.c.number,
            cases.c.level.label("current"),
            cases.c.deadline,
            cases.c.lead_unit,
            cases.c.service_item,
            cases.c.window_task,
            cases.c.returns,
        )
        .join(cases, cases.c.id == alert_notifications.c.case_id)
        .where(
            alert_notifications.c.snoozed_until.is_not(None),
            alert_notifications.c.snoozed_until <= now,
            alert_notifications.c.acknowledged_at.is_(None),
        )
    )
    return conn.execute(query).all()
