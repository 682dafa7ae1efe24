"""After a calendar change, recompute the deadlines of open cases (docs/rules.md#calendar, issue 3).

One write transaction for all cases. A case whose deadline (or provisional flag) changes gets a
``deadline_recomputed`` event on its timeline, an outbox operation (the server shows deadlines
too) and an audit entry, and its cached columns are refreshed from the fold. Cases whose deadline
stays the same only have their cached ``calendar_version`` brought up to date. Closed and refused
cases are never touched, and neither is a deadline a shift lead set by granting an extension.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from dnw_desk.domain.case import Event, EventType, Status
from dnw_desk.domain.deadlines import DeadlineCalculator
from dnw_desk.services.cases import Terminal
from dnw_desk.services.changes import Changes
from dnw_desk.store import cases_repo, deadline_queries, outbox_queries
from dnw_desk.store.audit import AuditEntry, append_audit, append_audit_many
from dnw_desk.store.database import Database

# Open cases that have a deadline. Fed-back cases are included: whether their feedback was on
# time is judged against the deadline, and the official calendar is the one that counts.
RECOMPUTED_STATUSES = (
    Status.REFERRED,
    Status.ACCEPTED,
    Status.OPINION_GIVEN,
    Status.FED_BACK,
    Status.CALLED_BACK,
)
_DEADLINE_SETTERS = (
    EventType.REFERRED,
    EventType.REDO,
    EventType.EXTENSION_GRANTED,
    EventType.DEADLINE_RECOMPUTED,
)


@dataclass(frozen=True)
class DeadlineChange:
    case_id: str
    number: str
    previous: datetime
    deadline: datetime
    previous_provisional: bool
    provisional: bool


@dataclass(frozen=True)
class Recomputed:
    examined: int
    changed: tuple[DeadlineChange, ...]
    kept_extensions: int
    calendar_version: str
    changes: Changes


def recompute_open_deadlines(
    db: Database,
    calculator: DeadlineCalculator,
    terminal: Terminal,
    *,
    actor: str,
    now: datetime,
) -> Recomputed:
    """Recompute every open case's deadline with ``calculator`` (the new calendar, the hall's
    opening hours and rule) in one transaction; returns what changed."""
    version = calculator.calendar_version
    with db.write() as conn:
        rows = deadline_queries.clocked_cases(conn, RECOMPUTED_STATUSES)
        extended = _held_by_extension(conn)
        changed: list[DeadlineChange] = []
        moved: list[Any] = []  # the rows of the changed cases
        for row in rows:
            if row.id in extended:
                continue
            result = calculator.deadline_for(row.referred_at)
            if result.deadline != row.deadline or result.provisional != row.deadline_provisional:
                changed.append(
                    DeadlineChange(
                        row.id,
                        row.number,
                        row.deadline,
                        result.deadline,
                        row.deadline_provisional,
                        result.provisional,
                    )
                )
                moved.append(row)
        # The unchanged ones were confirmed by the new calendar: record which calendar that was.
        deadline_queries.set_calendar_version(
            conn, RECOMPUTED_STATUSES, version, except_ids=extended
        )
        _record_changes(conn, changed, moved, calculator, terminal, actor, now)
        append_audit(
            conn,
            at=now,
            actor=actor,
            action="calendar.recomputed",
            detail={
                "calendar_version": version,
                "examined": len(rows),
                "changed": len(changed),
                "kept_extensions": len(extended),
            },
        )
    return Recomputed(
        examined=len(rows),
        changed=tuple(changed),
        kept_extensions=len(extended),
        calendar_version=version,
        changes=Changes(case_ids=frozenset(c.case_id for c in changed), calendar=True),
    )


def _held_by_extension(conn: Connection) -> set[str]:
    """Cases whose current deadline was set by an extension (the last deadline-setting event)."""
    rows = deadline_queries.event_types_of_cases_with(
        conn, EventType.EXTENSION_GRANTED, _DEADLINE_SETTERS
    )
    last: dict[str, str] = {}
    for row in rows:
        last[row.case_id] = row.type
    return {case_id for case_id, kind in last.items() if kind == EventType.EXTENSION_GRANTED}


def _record_changes(
    conn: Connection,
    changed: list[DeadlineChange],
    rows: list[Any],
    calculator: DeadlineCalculator,
    terminal: Terminal,
    actor: str,
    now: datetime,
) -> None:
    """Event, outbox op, audit entry and cached columns for each change, written in batches.

    The cached columns are updated directly instead of re-folding each timeline: the new event
    changes only the deadline (``_deadline_recomputed`` in domain.case), and with it ``on_time``
    for cases already fed back. A test checks that a fold of the stored timeline agrees.
    """
    if not changed:
        return
    written = [
        _change_rows(change, row, calculator, terminal, actor, now)
        for change, row in zip(changed, rows, strict=True)
    ]
    cases_repo.insert_event_rows(conn, [w.event for w in written])
    outbox_queries.enqueue_ops(conn, [w.op for w in written], now)
    deadline_queries.set_deadlines(conn, [w.cached for w in written])
    action = f"case.{EventType.DEADLINE_RECOMPUTED.value}"
    append_audit_many(conn, (AuditEntry(now, actor, action, w.case_id, w.audit) for w in written))


@dataclass(frozen=True)
class _Written:
    """What one deadline change writes: the event row, the outbox op, the cached columns and
    the audit detail."""

    case_id: str
    event: dict[str, Any]
    op: dict[str, Any]
    cached: dict[str, Any]
    audit: dict[str, Any]


def _change_rows(
    change: DeadlineChange,
    row: Any,
    calculator: DeadlineCalculator,
    terminal: Terminal,
    actor: str,
    now: datetime,
) -> _Written:
    data = {
        "deadline": change.deadline.isoformat(),
        "deadline_provisional": change.provisional,
        "calendar_version": calculator.calendar_version,
        "rule": str(calculator.rule),
        "previous_deadline": change.previous.isoformat(),
        "previous_provisional": change.previous_provisional,
    }
    # Never dated before the registration (a case registered under a clock that ran ahead).
    when = max(now, row.registered_at)
    event = Event(
        str(uuid.uuid4()), change.case_id, EventType.DEADLINE_RECOMPUTED, when, actor, data
    )
    seq = row.event_count + 1
    op = {"op_id": str(uuid.uuid4()), "case_id": change.case_id, "event_id": event.event_id}
    fed_back = row.fed_back_at
    cached = {
        "b_id": change.case_id,
        "deadline": change.deadline,
        "deadline_provisional": change.provisional,
        "calendar_version": calculator.calendar_version,
        "on_time": None if fed_back is None else fed_back <= change.deadline,
        "event_count": seq,
        "updated_at": now,
    }
    audit = {
        "number": change.number,
        "event_id": event.event_id,
        "seq": seq,
        "previous_deadline": data["previous_deadline"],
        "deadline": data["deadline"],
        "provisional": change.provisional,
        "calendar_version": calculator.calendar_version,
    }
    return _Written(change.case_id, cases_repo.event_row(event, seq, now), op, cached, audit)
