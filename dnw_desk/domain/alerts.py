"""The alert ladder for pending feedback (docs/rules.md#alerts), as pure functions.

none → reminder (蓝色提醒, half the working time used) → warning (黄色预警, ≤ 2 working hours left)
→ overdue (红色逾期, past the deadline) → escalated (督办, overdue by a further working day, or
escalated by hand). ``crossings`` compares two ticks so each crossing notifies once.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from dnw_desk.clock import to_hall_time
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_

ZERO = timedelta(0)


class AlertLevel(IntEnum):
    NONE = 0
    REMINDER = 1
    WARNING = 2
    OVERDUE = 3
    ESCALATED = 4

    @property
    def label(self) -> str:
        """An untranslated msgid; translate it where it is shown."""
        return _LABELS[self]


_LABELS = {
    AlertLevel.NONE: N_("Feedback on time"),
    AlertLevel.REMINDER: N_("Reminder: half the time used"),
    AlertLevel.WARNING: N_("Warning: deadline near"),
    AlertLevel.OVERDUE: N_("Overdue"),
    AlertLevel.ESCALATED: N_("Escalated"),
}


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """The ladder's settings (plain values)."""

    reminder_fraction: float = 0.5  # of the working time between referral and deadline
    warning_left: timedelta = timedelta(hours=2)  # of working time
    escalate_after_working_days: float = 1.0  # of opening hours after the deadline


@dataclass(frozen=True, slots=True)
class PendingCase:
    """What the ladder needs to know about a case whose feedback is still pending."""

    case_id: Hashable
    referred_at: datetime
    deadline: datetime
    escalated_at: datetime | None = None  # escalated by hand (督办) at this moment


@dataclass(frozen=True, slots=True)
class Crossing:
    case_id: Hashable
    previous: AlertLevel
    level: AlertLevel


def level_at(
    case: PendingCase,
    now: datetime,
    working_time: WorkingTime,
    thresholds: AlertThresholds | None = None,
) -> AlertLevel:
    """The alert level of a pending case at ``now``. At the deadline itself it is not overdue."""
    limits = thresholds or AlertThresholds()
    now = to_hall_time(now)
    deadline = to_hall_time(case.deadline)
    if case.escalated_at is not None and to_hall_time(case.escalated_at) <= now:
        return AlertLevel.ESCALATED
    if now > deadline:
        escalate_at = working_time.add(
            deadline, working_time.hours.day_length * limits.escalate_after_working_days
        )
        return AlertLevel.ESCALATED if now >= escalate_at else AlertLevel.OVERDUE
    left = working_time.between(now, deadline)
    if left <= limits.warning_left:
        return AlertLevel.WARNING
    total = working_time.between(case.referred_at, deadline)
    if total > timedelta(0) and total - left >= total * limits.reminder_fraction:
        return AlertLevel.REMINDER
    return AlertLevel.NONE


def level_moments(
    case: PendingCase,
    working_time: WorkingTime,
    thresholds: AlertThresholds | None = None,
) -> dict[AlertLevel, datetime]:
    """When the case reaches each level of the ladder by the clock alone (not by hand): the
    moment a crossing happened, also when no desk was open to see it. Overdue starts at the
    deadline itself (it is the first moment after it that ``level_at`` calls overdue)."""
    limits = thresholds or AlertThresholds()
    referred = to_hall_time(case.referred_at)
    deadline = to_hall_time(case.deadline)
    total = working_time.between(referred, deadline)
    moments = {
        AlertLevel.REMINDER: working_time.add(referred, total * limits.reminder_fraction),
        AlertLevel.WARNING: working_time.add(referred, max(total - limits.warning_left, ZERO)),
        AlertLevel.OVERDUE: deadline,
        AlertLevel.ESCALATED: working_time.add(
            deadline, working_time.hours.day_length * limits.escalate_after_working_days
        ),
    }
    return {
        level: min(moment, deadline) if level < AlertLevel.OVERDUE else moment
        for level, moment in moments.items()
    }


def crossings(
    cases: Iterable[PendingCase],
    previous_tick: datetime,
    this_tick: datetime,
    working_time: WorkingTime,
    thresholds: AlertThresholds | None = None,
) -> list[Crossing]:
    """Cases whose level rose between the two ticks: one crossing per case, to the highest level
    reached (a desk that slept through two levels raises one notification, not two)."""
    found = []
    for case in cases:
        before = level_at(case, previous_tick, working_time, thresholds)
        after = level_at(case, this_tick, working_time, thresholds)
        if after > before:
            found.append(Crossing(case.case_id, before, after))
    return found
