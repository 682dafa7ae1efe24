"""The alert ladder on the stored cases: refresh the cached level, notify each crossing once.

Every tick computes the level of each case awaiting feedback (``domain.alerts.level_at``), writes
the cached ``level`` column where it moved (the queue filters on it), and compares the level with
the highest one already *notified* for the case's current deadline. That record is kept in
``alert_notifications``, so a crossing raises one notification even if the desk was restarted
between two ticks, and a desk that slept through two levels raises one (for the higher) — the
same rule as ``domain.alerts.crossings``, but with the previous tick's level read from the store
instead of held in memory. An extension or a redo moves the deadline and starts a new cycle.

A level changes only at known moments (``domain.alerts.level_moments``), so the running desk does
not walk every pending case each tick: ``refresh()`` walks them all once and remembers when
each case next reaches a level; ``refresh_due()`` then recomputes only the cases whose moment
has come and the ones a change touched (the window tasks and snoozes are still read each tick).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from dnw_desk.clock import Clock, system_clock
from dnw_desk.contract.sqltypes import to_utc_text
from dnw_desk.domain.alerts import (
    AlertLevel,
    AlertThresholds,
    PendingCase,
    level_at,
    level_moments,
)
from dnw_desk.domain.case import PENDING_FEEDBACK
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.services.cards import record_cards
from dnw_desk.services.cases import CaseService
from dnw_desk.services.changes import Changes
from dnw_desk.store import alert_queries, review_queries
from dnw_desk.store.alert_queries import TASK_CYCLE_PREFIX
from dnw_desk.store.database import Database

if TYPE_CHECKING:
    from dnw_desk.services.desk import Desk

LEVEL_NAMES: dict[AlertLevel, str] = {level: level.name.lower() for level in AlertLevel}
LEVELS_BY_NAME: dict[str, AlertLevel] = {name: level for level, name in LEVEL_NAMES.items()}
DEFAULT_SNOOZE = timedelta(minutes=15)
# Each pending case's next level moment, and the clock (referral, deadline, escalated) it is of.
Schedule = tuple[dict[str, datetime], dict[str, tuple[Any, ...]]]


def parse_level(name: str | None) -> AlertLevel:
    return LEVELS_BY_NAME.get(name or "none", AlertLevel.NONE)


@dataclass(frozen=True)
class Notification:
    """One crossing to show: a banner line and a tray message. No personal data."""

    case_id: str
    number: str
    level: AlertLevel
    previous: AlertLevel
    deadline: datetime
    cycle: str
    unit: str | None
    service_item: str
    reminder: bool = False  # a snoozed notification coming back
    task: str = ""  # a window task (CaseState.window_tasks) rather than a level crossing


@dataclass(frozen=True)
class AlertTick:
    at: datetime
    notifications: tuple[Notification, ...]
    level_changed: frozenset[str]  # case ids whose cached level moved (or a card, a 整改)
    rectified: frozenset[str] = frozenset()  # of those, the ones a rectification opened on

    @cached_property
    def changes(self) -> Changes:
        """The cases whose cached level moved (the queue shows and filters on it); one object,
        so the screen that ran the tick knows its own publication. Levels only unless a
        rectification was opened (its status and task change)."""
        return Changes(case_ids=self.level_changed, levels_only=not self.rectified)


def pending_case(
    case_id: str, referred_at: datetime, deadline: datetime, escalated: bool
) -> PendingCase:
    # The cached row knows *that* a case was escalated by hand, not when; it is escalated now.
    return PendingCase(case_id, referred_at, deadline, referred_at if escalated else None)


class AlertService:
    def __init__(
        self,
        db: Database,
        working_time: WorkingTime,
        thresholds: AlertThresholds | None = None,
        clock: Clock = system_clock,
        cards: CaseService | None = None,
        rectifications: Callable[[], list[str]] | None = None,
    ) -> None:
        self.db = db
        # Opens the rectification of a 差评 given on the status page (pulled from the server).
        self.rectifications = rectifications
        self.working_time = working_time
        self.thresholds = thresholds or AlertThresholds()
        self.clock = clock
        self.cards = cards  # records each level reached on the timeline (services.cards)
        # When each pending case next reaches a level by its clock, and the clock it was
        # computed from (known after a full walk).
        self._wakes: dict[str, datetime] | None = None
        self._clocks: dict[str, tuple[Any, ...]] = {}
        # The same for the running rectifications' own ladders (their cards).
        self._rectification_wakes: dict[str, datetime] = {}
        self._rectification_clocks: dict[str, tuple[datetime, datetime]] = {}

    def level_of(
        self,
        referred_at: datetime | None,
        deadline: datetime | None,
        escalated: bool,
        now: datetime,
    ) -> AlertLevel:
        """The live level of one case (for the queue's colour between two ticks)."""
        if deadline is None or referred_at is None:
            return AlertLevel.NONE
        case = pending_case("", referred_at, deadline, escalated)
        return level_at(case, now, self.working_time, self.thresholds)

    @property
    def next_wake(self) -> datetime | None:
        """The next moment a pending case reaches a level (None: none, or not known yet)."""
        return min(self._wakes.values(), default=None) if self._wakes else None

    def refresh(self) -> AlertTick:
        """One tick over every pending case: record the cards due on the timelines, update
        cached levels and record (and return) new crossings."""
        now = self.clock()
        with self.db.read() as conn:
            rectifications = _rectification_clocks(conn)
        tick = self._tick(now, None, None)
        self._schedule_rectifications(now, rectifications, None)
        return tick

    def refresh_due(self, touched: Iterable[str] = ()) -> AlertTick:
        """The same tick for the cases whose next level moment has come and the ``touched``
        ones (a change may move their deadline or end their clock); a full walk the first
        time."""
        if self._wakes is None:
            return self.refresh()
        now = self.clock()
        due = {case_id for case_id, at in self._wakes.items() if at <= now}
        # A clock started, moved or ended without a change this desk saw (a cheap read of
        # the pending cases' clocks, not the ladder's working-time arithmetic).
        with self.db.read() as conn:
            clocks = {
                row.id: tuple(row[1:]) for row in alert_queries.clocks(conn, PENDING_FEEDBACK)
            }
            rectifications = _rectification_clocks(conn)
        moved = {case_id for case_id, clock in clocks.items() if self._clocks.get(case_id) != clock}
        moved |= self._clocks.keys() - clocks.keys()
        rectifying = {
            case_id
            for case_id, clock in rectifications.items()
            if self._rectification_clocks.get(case_id) != clock
        } | {case_id for case_id, at in self._rectification_wakes.items() if at <= now}
        tick = self._tick(now, due | moved | set(touched), rectifying)
        self._schedule_rectifications(now, rectifications, rectifying)
        return tick

    def _schedule_rectifications(
        self,
        now: datetime,
        rectifications: dict[str, tuple[datetime, datetime]],
        recomputed: set[str] | None,
    ) -> None:
        """Remember when each running rectification next reaches a level (``recomputed``:
        the ones whose cards were just looked at; None: all)."""
        wakes = {
            case_id: at
            for case_id, at in self._rectification_wakes.items()
            if case_id in rectifications and recomputed is not None and case_id not in recomputed
        }
        for case_id in rectifications if recomputed is None else recomputed:
            if case_id in rectifications:
                opened, due = rectifications[case_id]
                wake = self._next_moment(PendingCase(case_id, opened, due), now)
                if wake is not None:
                    wakes[case_id] = wake
        self._rectification_wakes, self._rectification_clocks = wakes, rectifications

    def _tick(
        self, now: datetime, case_ids: set[str] | None, rectifying: set[str] | None
    ) -> AlertTick:
        """``case_ids``, ``rectifying``: the cases and rectifications to recompute (None:
        all). Wakes are computed at ``now``, read before the cards: never later than them."""
        carded: list[str] = []
        if self.cards is not None:
            carded = record_cards(
                self.cards, self.working_time, self.thresholds, case_ids, rectifying
            )
        rectified = self.rectifications() if self.rectifications is not None else []
        # Read before the write transaction, which holds the writer (a clerk's step waits for
        # it): only ticks record task notifications, and they run one at a time.
        with self.db.read() as conn:
            tasks = _new_window_tasks(conn, now)
        with self.db.write() as conn:
            moved, found, schedule = self._crossings(conn, now, case_ids)
            moved.extend(_stale_levels(conn, case_ids))
            if moved:
                alert_queries.set_levels(conn, moved)
            if found:
                _record_notified(conn, found, now)
                # A higher level supersedes a snoozed lower one: it must not come back later.
                alert_queries.clear_lower_snoozes(conn, [_key(n) for n in found])
            if tasks:
                _record_notified(conn, tasks, now)
                found.extend(tasks)
            found.extend(_due_snoozes(conn, now))
        self._wakes, self._clocks = schedule
        changed = frozenset(m["case_id"] for m in moved) | frozenset(carded) | frozenset(rectified)
        return AlertTick(now, tuple(found), changed, frozenset(rectified))

    def _crossings(
        self, conn: Connection, now: datetime, case_ids: set[str] | None
    ) -> tuple[list[dict[str, str]], list[Notification], Schedule]:
        """The cached levels that moved, the crossings not yet notified for the cycle (of
        ``case_ids``, or all), and when each case next reaches a level."""
        if case_ids is not None and not case_ids:
            return [], [], (self._wakes or {}, self._clocks)
        notified = alert_queries.notified_levels(conn, PENDING_FEEDBACK, case_ids)
        moved: list[dict[str, str]] = []
        found: list[Notification] = []
        # Copies: kept only once the transaction commits (a failed write recomputes them).
        full = case_ids is None or self._wakes is None
        wakes = {} if full or self._wakes is None else dict(self._wakes)
        clocks = {} if full else dict(self._clocks)
        for case_id in case_ids or ():
            wakes.pop(case_id, None)  # no longer pending, or rescheduled below
            clocks.pop(case_id, None)
        for row in alert_queries.clocked_cases(conn, PENDING_FEEDBACK, case_ids):
            # As ``alert_queries.clocks`` reads them, to compare with on the next tick.
            clocks[row.id] = (
                to_utc_text(row.referred_at),
                to_utc_text(row.deadline),
                row.escalated,
            )
            case = pending_case(row.id, row.referred_at, row.deadline, row.escalated)
            level = level_at(case, now, self.working_time, self.thresholds)
            wake = self._next_moment(PendingCase(row.id, row.referred_at, row.deadline), now)
            if wake is not None:
                wakes[row.id] = wake
            previous = parse_level(row.level)
            if level is not previous:
                moved.append({"case_id": row.id, "new_level": LEVEL_NAMES[level]})
            cycle = to_utc_text(row.deadline)
            if level >= AlertLevel.REMINDER and level > notified.get((row.id, cycle), 0):
                found.append(
                    Notification(
                        row.id,
                        row.number,
                        level,
                        previous,
                        row.deadline,
                        cycle,
                        row.lead_unit,
                        row.service_item,
                    )
                )
        return moved, found, (wakes, clocks)

    def _next_moment(self, case: PendingCase, now: datetime) -> datetime | None:
        reached = level_at(case, now, self.working_time, self.thresholds)
        return next_moment(case, reached, self.working_time, self.thresholds)

    def snooze(
        self, notifications: Iterable[Notification], delay: timedelta = DEFAULT_SNOOZE
    ) -> datetime:
        """Remind once more after ``delay`` if the cases are still at these levels."""
        until = self.clock() + delay
        self._mark(notifications, snoozed_until=until)
        return until

    def acknowledge(self, notifications: Iterable[Notification], actor: str) -> None:
        self._mark(
            notifications, snoozed_until=None, acknowledged_at=self.clock(), acknowledged_by=actor
        )

    def _mark(self, notifications: Iterable[Notification], **values: object) -> None:
        keys = [_key(n) for n in notifications]
        if not keys:
            return
        with self.db.write() as conn:
            alert_queries.mark_notifications(conn, keys, **values)


def next_moment(
    case: PendingCase, reached: AlertLevel, working_time: WorkingTime, thresholds: AlertThresholds
) -> datetime | None:
    """When the case, at level ``reached`` now, reaches a higher level by its clock (the cards
    follow the clock alone). A moment already past whose level is not reached yet keeps the
    case due, so a rounding difference between the two rules never loses a crossing."""
    moments = level_moments(case, working_time, thresholds)
    return min((at for level, at in moments.items() if level > reached), default=None)


class LevelMemo:
    """The live level of many pending cases, each computed once per step of its ladder: a
    level holds from the moment it was computed until the case's next level moment, as long
    as its clock (referral, deadline, escalated) stays the same. The review asks for every
    pending case's level each time it shows; this keeps that to the cases whose clock moved or
    whose next moment came. One thread at a time (the read lane, or a command)."""

    def __init__(self, working_time: WorkingTime, thresholds: AlertThresholds) -> None:
        self.working_time = working_time
        self.thresholds = thresholds
        # case id → (clock, level, computed at, valid until (None: no higher level))
        self._known: dict[str, tuple[tuple[Any, ...], AlertLevel, datetime, datetime | None]] = {}

    def levels(self, rows: Iterable[Any], now: datetime) -> list[AlertLevel]:
        """The level of each row (``id``, ``referred_at``, ``deadline``, ``escalated``) at
        ``now``; cases not among the rows are forgotten."""
        known, self._known = self._known, {}
        found = []
        for row in rows:
            clock = (row.referred_at, row.deadline, bool(row.escalated))
            memo = known.get(row.id)
            if memo is None or memo[0] != clock or not memo[2] <= now or _past(memo[3], now):
                memo = (clock, *self._compute(clock, now))
            self._known[row.id] = memo
            found.append(memo[1])
        return found

    def _compute(
        self, clock: tuple[Any, ...], now: datetime
    ) -> tuple[AlertLevel, datetime, datetime | None]:
        referred_at, deadline, escalated = clock
        if referred_at is None or deadline is None:
            return AlertLevel.NONE, now, None
        case = pending_case("", referred_at, deadline, escalated)
        level = level_at(case, now, self.working_time, self.thresholds)
        if level is AlertLevel.ESCALATED:
            return level, now, None
        until = next_moment(case, level, self.working_time, self.thresholds)
        return level, now, until


def _past(until: datetime | None, now: datetime) -> bool:
    return until is not None and now >= until


def alerts_for(desk: Desk) -> AlertService:
    from dnw_desk.services.handling import handling_for
    from dnw_desk.services.ratings import open_online_rectifications

    return AlertService(
        desk.db,
        desk.deadlines.working_time,
        desk.alert_thresholds,
        desk.clock,
        desk.cases,
        lambda: open_online_rectifications(handling_for(desk)),
    )


def _key(notification: Notification) -> dict[str, object]:
    return {
        "k_case": notification.case_id,
        "k_cycle": notification.cycle,
        "k_level": int(notification.level),
    }


def _record_notified(conn: Connection, found: Sequence[Notification], now: datetime) -> None:
    alert_queries.insert_notifications(
        conn,
        [
            {"case_id": n.case_id, "cycle": n.cycle, "level": int(n.level), "notified_at": now}
            for n in found
        ],
    )


TASK_LEVEL = AlertLevel.WARNING  # the banner's colour for a case waiting on the window


def _task_cycle(row: Any) -> str:
    # One notification per task: a new return, a new deadline make a new one.
    deadline = to_utc_text(row.deadline) if row.deadline is not None else ""
    key = f"{row.window_task}:{row.returns}:{deadline}".encode()
    return (
        TASK_CYCLE_PREFIX + hashlib.sha256(key).hexdigest()[:27]
    )  # the column holds 32 characters


def _new_window_tasks(conn: Connection, now: datetime) -> list[Notification]:
    """Cases that wait on the window (a return to review, an extension to decide, a new
    deadline to tell, …) and were not notified yet: one notification each (to record)."""
    rows = alert_queries.window_task_cases(conn)
    if not rows:
        return []
    done = alert_queries.notified_task_cycles(conn, [row.id for row in rows])
    found = [
        Notification(
            row.id,
            row.number,
            TASK_LEVEL,
            AlertLevel.NONE,
            row.deadline or now,
            _task_cycle(row),
            row.lead_unit,
            row.service_item,
            task=str(row.window_task),
        )
        for row in rows
        if (row.id, _task_cycle(row)) not in done
    ]
    return found


def _rectification_clocks(conn: Connection) -> dict[str, tuple[datetime, datetime]]:
    return {
        row.id: (row.rectification_from, row.rectification_due)
        for row in review_queries.running_rectifications(conn)
    }


def _stale_levels(conn: Connection, case_ids: set[str] | None) -> list[dict[str, str]]:
    """Cases (of ``case_ids``, or all) no longer awaiting feedback whose cached level is still
    raised: back to none."""
    if case_ids is not None and not case_ids:
        return []
    none = LEVEL_NAMES[AlertLevel.NONE]
    stale = alert_queries.raised_levels_outside(conn, PENDING_FEEDBACK, none, case_ids)
    return [{"case_id": case_id, "new_level": none} for case_id in stale]


def _due_snoozes(conn: Connection, now: datetime) -> Sequence[Notification]:
    """Snoozed notifications whose time has come, if the case is still at least at that level
    for the same deadline; each comes back once (the snooze is cleared)."""
    due: list[Notification] = []
    keys = []
    for row in alert_queries.due_snoozes(conn, now):
        keys.append({"k_case": row.case_id, "k_cycle": row.cycle, "k_level": row.level})
        current = parse_level(row.current)
        task = ""
        if row.cycle.startswith(TASK_CYCLE_PREFIX):
            # A window task reminds again while it is still the same task, not yet done.
            same_cycle = row.window_task is not None and _task_cycle(row) == row.cycle
            current, task = TASK_LEVEL, str(row.window_task)
        else:
            same_cycle = row.deadline is not None and to_utc_text(row.deadline) == row.cycle
        if same_cycle and current >= row.level:
            due.append(
                Notification(
                    row.case_id,
                    row.number,
                    current,
                    AlertLevel(row.level),
                    row.deadline or now,
                    row.cycle,
                    row.lead_unit,
                    row.service_item,
                    reminder=True,
                    task=task,
                )
            )
    if keys:
        alert_queries.mark_notifications(conn, keys, snoozed_until=None)
    return due
