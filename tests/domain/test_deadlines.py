"""Feedback deadlines: each 2026 long holiday, awkward referral moments, properties, year end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.calendar_override import parse_override
from dnw_desk.domain.deadlines import DeadlineCalculator, DeadlineRule, deadline_for
from dnw_desk.domain.working_time import OpeningHours, WorkingTime
from dnw_desk.paths import resource_path

CALENDAR = WorkingCalendar()
CIVIL = DeadlineCalculator(CALENDAR)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HALL_TZ)


# (referral, deadline) under the Civil Code rule with the 2026 notice.
CIVIL_CODE_CASES = [
    # the day before each long holiday, and the holiday's last day
    ("2025-12-31 10:00", "2026-01-04 17:30"),  # 元旦 1-3 Jan; due on make-up Sunday 4 Jan
    ("2026-01-03 10:00", "2026-01-04 17:30"),  # referral on the holiday's last day
    ("2026-02-13 16:00", "2026-02-14 17:30"),  # 春节: Sat 14 Feb is a make-up working day
    ("2026-02-14 10:00", "2026-02-24 17:30"),  # referral on that make-up Saturday: after 春节
    ("2026-02-17 11:00", "2026-02-24 17:30"),  # referral on a holiday
    ("2026-02-27 09:00", "2026-02-28 17:30"),  # Sat 28 Feb make-up day
    ("2026-04-03 15:00", "2026-04-07 17:30"),  # 清明 4-6 Apr
    ("2026-04-30 12:30", "2026-05-06 17:30"),  # 劳动节 1-5 May
    ("2026-05-08 10:00", "2026-05-09 17:30"),  # Sat 9 May make-up day
    ("2026-06-18 17:00", "2026-06-22 17:30"),  # 端午 19-21 Jun
    ("2026-09-19 10:00", "2026-09-20 17:30"),  # Sat → make-up Sun 20 Sep (国庆调休)
    ("2026-09-20 10:00", "2026-09-21 17:30"),  # referral on the make-up Sunday
    ("2026-09-24 10:00", "2026-09-28 17:30"),  # 中秋 25-27 Sep
    ("2026-09-30 16:00", "2026-10-08 17:30"),  # 国庆 1-7 Oct
    ("2026-10-09 10:00", "2026-10-10 17:30"),  # Sat 10 Oct make-up day
    # time of day does not matter: after closing, at 23:59, before opening
    ("2026-03-10 17:31", "2026-03-11 17:30"),
    ("2026-03-10 23:59", "2026-03-11 17:30"),
    ("2026-03-10 00:00", "2026-03-11 17:30"),
    ("2026-03-13 23:59", "2026-03-16 17:30"),  # Friday night → Monday
    ("2026-09-30 23:59", "2026-10-08 17:30"),
]


@pytest.mark.parametrize(("referred", "expected"), CIVIL_CODE_CASES)
def test_civil_code_deadline(referred: str, expected: str) -> None:
    result = CIVIL.deadline_for(at(referred))
    assert result.deadline == at(expected)
    assert result.deadline.utcoffset() == timedelta(hours=8)
    assert not result.provisional
    assert result.rule == "civil-code"
    assert result.calendar_version == CALENDAR.version


def test_referral_in_another_time_zone_is_converted_to_hall_time() -> None:
    # 2026-03-10 16:30 UTC is 2026-03-11 00:30 in Shanghai: the referral day is the 11th.
    utc = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    assert CIVIL.deadline_for(utc).deadline == at("2026-03-12 17:30")
    assert CIVIL.deadline_for(datetime(2026, 3, 10, 16, 30)).deadline == at("2026-03-11 17:30")


@pytest.mark.parametrize(
    ("referred", "hours", "expected"),
    [
        ("2026-03-10 10:00", 2, "2026-03-10 12:00"),  # ends exactly at noon, not after lunch
        ("2026-03-10 11:00", 2, "2026-03-10 14:30"),  # lunch break not counted
        ("2026-03-10 16:00", 8, "2026-03-11 17:00"),
        ("2026-03-10 19:00", 1, "2026-03-11 10:00"),  # after closing: counts from next opening
        ("2026-09-30 16:00", 8, "2026-10-08 17:00"),  # across 国庆
        ("2026-02-14 16:00", 3, "2026-02-24 10:30"),  # make-up Saturday then 春节
        ("2026-03-14 10:00", 1, "2026-03-16 10:00"),  # ordinary Saturday: starts Monday
    ],
)
def test_working_hours_rule(referred: str, hours: int, expected: str) -> None:
    result = deadline_for(at(referred), CALENDAR, rule=DeadlineRule.working_hours(hours))
    assert result.deadline == at(expected)
    assert result.rule == f"working-hours:{hours}"


def test_rule_round_trips_and_rejects_nonsense() -> None:
    for text in ("civil-code", "working-hours:8", "working-hours:1.5"):
        assert str(DeadlineRule.parse(text)) == text
    for bad in ("", "working-hours:0", "working-hours:x", "two days"):
        with pytest.raises(ValueError):
            DeadlineRule.parse(bad)


def test_custom_opening_hours_change_the_closing_time() -> None:
    hours = OpeningHours.parse("08:30-12:00,14:00-18:00")
    result = deadline_for(at("2026-03-10 09:00"), CALENDAR, hours)
    assert result.deadline == at("2026-03-11 18:00")
    with pytest.raises(ValueError):
        OpeningHours.parse("13:00-12:00")


# -- the year boundary ----------------------------------------------------------------------------


def test_year_end_referral_gives_a_provisional_deadline_without_exception() -> None:
    # 2027-01-01 (Friday) is New Year's Day by law; the weekend follows; Monday 4 January.
    result = CIVIL.deadline_for(at("2026-12-31 16:00"))
    assert result.deadline == at("2027-01-04 17:30")
    assert result.provisional
    hours = deadline_for(at("2026-12-31 16:00"), CALENDAR, rule=DeadlineRule.working_hours(4))
    assert hours.deadline == at("2027-01-04 11:30") and hours.provisional


def test_year_end_referral_is_official_with_an_override_covering_2027() -> None:
    calendar = WorkingCalendar(
        parse_override(resource_path("calendar", "override-example.toml").read_text("utf-8"))
    )
    result = DeadlineCalculator(calendar).deadline_for(at("2026-12-31 16:00"))
    assert result.deadline == at("2027-01-04 17:30")
    assert not result.provisional
    assert result.calendar_version == calendar.version != CALENDAR.version
    # The example's make-up Sunday 2027-02-14 right after its Spring Festival:
    assert DeadlineCalculator(calendar).deadline_for(at("2027-02-04 10:00")).deadline == at(
        "2027-02-14 17:30"
    )


def test_december_referral_inside_2026_stays_official() -> None:
    assert not CIVIL.deadline_for(at("2026-12-29 10:00")).provisional


# -- properties -----------------------------------------------------------------------------------

referrals = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31, 23, 59)
).map(lambda moment: moment.replace(tzinfo=HALL_TZ))
rules = st.sampled_from(
    [DeadlineRule.civil_code(), DeadlineRule.working_hours(1), DeadlineRule.working_hours(8)]
)
CALCULATORS = {str(rule): DeadlineCalculator(CALENDAR, rule=rule) for rule in [
    DeadlineRule.civil_code(), DeadlineRule.working_hours(1), DeadlineRule.working_hours(8)
]}  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(referrals)
def test_civil_code_deadline_is_closing_time_of_a_working_day_after_the_referral(
    referred: datetime,
) -> None:
    result = CIVIL.deadline_for(referred)
    assert CALENDAR.is_working_day(result.deadline.date())
    assert result.deadline.timetz().replace(tzinfo=None) == time(17, 30)
    assert result.deadline > referred
    assert result.deadline.date() > referred.date()
    # the first one: no working day in between
    day = referred.date() + timedelta(days=1)
    while day < result.deadline.date():
        assert not CALENDAR.is_working_day(day)
        day += timedelta(days=1)
    assert result.provisional == (result.deadline.year >= 2027 or referred.year >= 2027)


@settings(max_examples=150, deadline=None)
@given(referrals, referrals, rules)
def test_deadline_is_never_earlier_for_a_later_referral(
    first: datetime, second: datetime, rule: DeadlineRule
) -> None:
    early, late = sorted((first, second))
    calculator = CALCULATORS[str(rule)]
    assert calculator.deadline_for(early).deadline <= calculator.deadline_for(late).deadline


@settings(max_examples=100, deadline=None)
@given(referrals, st.sampled_from([1, 2, 8]))
def test_working_hours_deadline_is_strictly_after_and_uses_exactly_n_hours(
    referred: datetime, hours: int
) -> None:
    result = CALCULATORS.get(f"working-hours:{hours}") or DeadlineCalculator(
        CALENDAR, rule=DeadlineRule.working_hours(hours)
    )
    deadline = result.deadline_for(referred).deadline
    assert deadline > referred
    assert WorkingTime(CALENDAR).between(referred, deadline) == timedelta(hours=hours)
    assert CALENDAR.is_working_day(deadline.date())


def test_deadline_results_are_frozen_and_serialise() -> None:
    result = CIVIL.deadline_for(at("2026-09-30 16:00"))
    with pytest.raises(AttributeError):
        result.deadline = at("2026-10-09 17:30")  # type: ignore[misc]
    assert result.as_json() == {
        "deadline": "2026-10-08T17:30:00+08:00",
        "provisional": False,
        "calendar_version": CALENDAR.version,
        "rule": "civil-code",
    }


def test_working_time_left_counts_opening_hours_of_working_days_only() -> None:
    working = WorkingTime(CALENDAR)
    deadline = at("2026-10-08 17:30")
    assert working.left(at("2026-09-30 16:00"), deadline) == timedelta(hours=1.5 + 7)
    assert working.left(at("2026-09-30 12:30"), deadline) == timedelta(hours=4 + 7)
    assert working.left(at("2026-10-08 17:30"), deadline) == timedelta(0)
    assert working.left(at("2026-10-09 09:00"), deadline) == timedelta(0)
    assert working.is_open(at("2026-10-10 10:00"))  # make-up Saturday
    assert not working.is_open(at("2026-10-08 12:30"))  # lunch
    assert date(2026, 10, 8) == deadline.date()
