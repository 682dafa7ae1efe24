"""The alert ladder: levels at moments, and crossings between two ticks (one each)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.alerts import (
    AlertLevel,
    AlertThresholds,
    Crossing,
    PendingCase,
    crossings,
    level_at,
)
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.working_time import WorkingTime

WORKING = WorkingTime(WorkingCalendar())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HALL_TZ)


# Referred Tuesday 2026-03-10 09:00, due Wednesday 17:30: 14 working hours in total.
CASE = PendingCase("c1", at("2026-03-10 09:00"), at("2026-03-11 17:30"))


@pytest.mark.parametrize(
    ("now", "level"),
    [
        ("2026-03-10 09:00", AlertLevel.NONE),
        ("2026-03-10 17:29", AlertLevel.NONE),  # 6h59 of 14h used
        ("2026-03-10 17:30", AlertLevel.REMINDER),  # half used
        ("2026-03-10 23:00", AlertLevel.REMINDER),
        ("2026-03-11 15:29", AlertLevel.REMINDER),
        ("2026-03-11 15:30", AlertLevel.WARNING),  # 2 working hours left
        ("2026-03-11 17:30", AlertLevel.WARNING),  # at the deadline: not yet overdue
        ("2026-03-11 17:31", AlertLevel.OVERDUE),
        ("2026-03-12 17:29", AlertLevel.OVERDUE),
        ("2026-03-12 17:30", AlertLevel.ESCALATED),  # overdue by a further working day
    ],
)
def test_level_at(now: str, level: AlertLevel) -> None:
    assert level_at(CASE, at(now), WORKING) is level


def test_warning_counts_working_time_not_wall_clock() -> None:
    # Due Thursday 2026-10-08 17:30 (after 国庆); on 30 Sep 17:00 only 0.5 + 7 working hours are
    # left, though more than a week of wall-clock time is.
    case = PendingCase("c", at("2026-09-30 16:00"), at("2026-10-08 17:30"))
    # 8.5 working hours in all: half is used on 8 Oct at 11:45, not during the holiday.
    assert level_at(case, at("2026-10-07 23:00"), WORKING) is AlertLevel.NONE
    assert level_at(case, at("2026-10-08 11:44"), WORKING) is AlertLevel.NONE
    assert level_at(case, at("2026-10-08 11:45"), WORKING) is AlertLevel.REMINDER
    assert level_at(case, at("2026-10-08 15:30"), WORKING) is AlertLevel.WARNING
    # Escalation waits for a further *working* day: Fri 9 Oct is one.
    assert level_at(case, at("2026-10-09 17:29"), WORKING) is AlertLevel.OVERDUE
    assert level_at(case, at("2026-10-09 17:30"), WORKING) is AlertLevel.ESCALATED


def test_escalation_waits_over_a_holiday() -> None:
    case = PendingCase("c", at("2026-09-29 10:00"), at("2026-09-30 17:30"))
    assert level_at(case, at("2026-10-07 23:00"), WORKING) is AlertLevel.OVERDUE
    assert level_at(case, at("2026-10-08 17:30"), WORKING) is AlertLevel.ESCALATED


def test_escalated_by_hand() -> None:
    case = PendingCase("c", CASE.referred_at, CASE.deadline, escalated_at=at("2026-03-10 11:00"))
    assert level_at(case, at("2026-03-10 10:59"), WORKING) is AlertLevel.NONE
    assert level_at(case, at("2026-03-10 11:00"), WORKING) is AlertLevel.ESCALATED


def test_thresholds_are_settings() -> None:
    strict = AlertThresholds(
        reminder_fraction=0.25, warning_left=timedelta(hours=4), escalate_after_working_days=0.5
    )
    # a quarter of 14 h is 3.5 h: the morning's 3 h plus 30 minutes after lunch
    assert level_at(CASE, at("2026-03-10 13:59"), WORKING, strict) is AlertLevel.NONE
    assert level_at(CASE, at("2026-03-10 14:00"), WORKING, strict) is AlertLevel.REMINDER
    assert level_at(CASE, at("2026-03-11 11:59"), WORKING, strict) is AlertLevel.REMINDER
    assert level_at(CASE, at("2026-03-11 12:00"), WORKING, strict) is AlertLevel.WARNING
    # half a working day (3.5 h) after Wednesday 17:30 is Thursday 12:00 + 0.5 h → 14:00
    assert level_at(CASE, at("2026-03-12 13:59"), WORKING, strict) is AlertLevel.OVERDUE
    assert level_at(CASE, at("2026-03-12 14:00"), WORKING, strict) is AlertLevel.ESCALATED


def test_each_crossing_is_reported_once() -> None:
    cases = [CASE, PendingCase("c2", at("2026-03-11 09:00"), at("2026-03-12 17:30"))]
    # every minute from Tuesday 09:00 to Friday 18:00
    start = at("2026-03-10 09:00")
    ticks = [start + timedelta(minutes=minutes) for minutes in range(0, 81 * 60 + 1)]
    seen: list[Crossing] = []
    for previous, this in pairwise(ticks):
        seen.extend(crossings(cases, previous, this, WORKING))
    assert [(c.case_id, c.level) for c in seen] == [
        ("c1", AlertLevel.REMINDER),  # Tue 17:30
        ("c1", AlertLevel.WARNING),  # Wed 15:30
        ("c2", AlertLevel.REMINDER),  # Wed 17:30
        ("c1", AlertLevel.OVERDUE),  # Wed 17:31
        ("c2", AlertLevel.WARNING),  # Thu 15:30
        ("c1", AlertLevel.ESCALATED),  # Thu 17:30
        ("c2", AlertLevel.OVERDUE),  # Thu 17:31
        ("c2", AlertLevel.ESCALATED),  # Fri 17:30
    ]


def test_a_desk_that_slept_gets_one_crossing_to_the_highest_level() -> None:
    found = crossings([CASE], at("2026-03-10 09:00"), at("2026-03-11 18:00"), WORKING)
    assert found == [Crossing("c1", AlertLevel.NONE, AlertLevel.OVERDUE)]
    assert crossings([CASE], at("2026-03-11 18:00"), at("2026-03-11 18:05"), WORKING) == []


def test_labels_are_msgids() -> None:
    assert AlertLevel.OVERDUE.label == "Overdue"
    assert sorted(AlertLevel) == list(AlertLevel)
