"""The working-day calendar: the 2026 State Council notice, layers, coverage, the 60-day guard."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from dnw_desk.domain.calendar import CalendarGuardError, WorkingCalendar
from dnw_desk.domain.calendar_override import parse_override

# 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号), every rest day of each
# holiday (weekend days included) and every make-up working day (调休上班).
NOTICE_2026_HOLIDAYS = {
    "元旦": ["2026-01-01", "2026-01-02", "2026-01-03"],
    "春节": [
        "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
        "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
    ],
    "清明节": ["2026-04-04", "2026-04-05", "2026-04-06"],
    "劳动节": ["2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05"],
    "端午节": ["2026-06-19", "2026-06-20", "2026-06-21"],
    "中秋节": ["2026-09-25", "2026-09-26", "2026-09-27"],
    "国庆节": [
        "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
        "2026-10-05", "2026-10-06", "2026-10-07",
    ],
}  # fmt: skip
NOTICE_2026_WORKDAYS = {
    "2026-01-04": "Sun",  # 元旦调休
    "2026-02-14": "Sat",  # 春节调休
    "2026-02-28": "Sat",  # 春节调休
    "2026-05-09": "Sat",  # 劳动节调休
    "2026-09-20": "Sun",  # 国庆节调休
    "2026-10-10": "Sat",  # 国庆节调休
}
HOLIDAY_DAYS = [(name, day) for name, days in NOTICE_2026_HOLIDAYS.items() for day in days]


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(("name", "day"), HOLIDAY_DAYS)
def test_every_2026_holiday_is_a_rest_day(calendar: WorkingCalendar, name: str, day: str) -> None:
    info = calendar.day(date.fromisoformat(day))
    assert not info.working, name
    assert not info.provisional
    assert info.source == "chinesecalendar"


@pytest.mark.parametrize(("day", "weekday"), NOTICE_2026_WORKDAYS.items())
def test_every_2026_make_up_day_is_a_working_day(
    calendar: WorkingCalendar, day: str, weekday: str
) -> None:
    moment = date.fromisoformat(day)
    assert f"{moment:%a}" == weekday  # the table itself: these are weekend days
    assert calendar.is_working_day(moment)
    assert not calendar.is_provisional(moment)


def test_the_rest_of_2026_is_ordinary_weeks(calendar: WorkingCalendar) -> None:
    rest = {date.fromisoformat(d) for _name, d in HOLIDAY_DAYS}
    work = {date.fromisoformat(d) for d in NOTICE_2026_WORKDAYS}
    day = date(2026, 1, 1)
    while day.year == 2026:
        if day not in rest and day not in work:
            assert calendar.is_working_day(day) == (day.weekday() < 5), day
        day += timedelta(days=1)
    assert len(rest) == 33 and len(work) == 6


def test_2027_is_provisional_fallback_with_statutory_holidays(calendar: WorkingCalendar) -> None:
    assert not calendar.covered_officially(2027)
    assert calendar.year_source(2027) == "fallback"
    new_year = calendar.day(date(2027, 1, 1))
    assert (new_year.working, new_year.provisional, new_year.source) == (False, True, "fallback")
    # Spring Festival by law since 2025: eve + days 1-3 (2027-02-05..08), the weekend ones made
    # up on the following weekdays.
    for day in range(5, 11):
        assert not calendar.is_working_day(date(2027, 2, day))
    assert calendar.is_working_day(date(2027, 2, 11))
    assert calendar.is_working_day(date(2027, 1, 4))
    assert not calendar.is_working_day(date(2027, 1, 9))  # an ordinary Saturday


@pytest.mark.parametrize("year", [1900, 1990, 2003, 2027, 2030, 2099, 2200, 9998, 9999])
def test_no_exception_escapes_for_any_year(calendar: WorkingCalendar, year: int) -> None:
    for day in (date(year, 1, 1), date(year, 6, 15), date(year, 12, 30)):
        calendar.day(day)
        calendar.next_working_day(day)
    calendar.day(date(year, 12, 31))
    assert calendar.covered_officially(year) == (2004 <= year <= 2026)


def test_next_year_notice_from_1_november(calendar: WorkingCalendar) -> None:
    assert calendar.next_year_notice(date(2026, 10, 31)) is None
    notice = calendar.next_year_notice(date(2026, 11, 1))
    assert notice is not None and "2027" in notice
    assert calendar.next_year_notice(date(2025, 11, 20)) is None  # 2026 is in the package


def test_next_year_notice_silent_when_override_covers_next_year() -> None:
    text = 'source = "x"\nversion = "1"\ncomplete_years = [2027]\n[[holiday]]\ndate = 2027-01-01\n'
    covered = WorkingCalendar(parse_override(text))
    assert covered.next_year_notice(date(2026, 12, 1)) is None
    assert covered.year_source(2027) == "override"


def test_version_names_the_override_and_the_packages() -> None:
    text = 'source = "x"\nversion = "2027.1"\n[[holiday]]\ndate = 2027-01-01\n'
    plain, overridden = WorkingCalendar(), WorkingCalendar(parse_override(text))
    assert "override:none" in plain.version and "chinesecalendar:" in plain.version
    assert "override:2027.1@" in overridden.version
    assert plain.version != overridden.version


def test_dated_override_entry_wins_over_the_package_for_that_day_only() -> None:
    text = (
        'source = "x"\nversion = "1"\n'
        "[[holiday]]\ndate = 2026-12-31\n[[workday]]\ndate = 2026-12-26\n"
    )
    calendar = WorkingCalendar(parse_override(text))
    assert calendar.day(date(2026, 12, 31)).source == "override"
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.is_working_day(date(2026, 12, 26))  # a Saturday made a working day
    assert calendar.day(date(2026, 12, 30)).source == "chinesecalendar"
    # Not a complete year: the rest of 2027 is still provisional.
    assert calendar.is_provisional(date(2027, 3, 1))


def test_guard_fails_loudly_without_a_working_day_in_60_days() -> None:
    start = date(2026, 3, 1)
    days = ", ".join((start + timedelta(days=n)).isoformat() for n in range(70))
    text = f'source = "x"\nversion = "1"\n[[holiday]]\ndates = [{days}]\n'
    calendar = WorkingCalendar(parse_override(text))  # not a complete year: no import-time guard
    with pytest.raises(CalendarGuardError):
        calendar.next_working_day(date(2026, 3, 1))


def _holidays_package() -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=range(2003, 2028))


# Known disagreements between chinesecalendar and holidays, each checked against the notice:
# 2005-12-31 (Saturday): the 2006 notice moved this Saturday's rest day to 2006-01-03, so it was a
# working day. The holidays package has it; chinesecalendar 1.11 does not (its data for 2005 stops
# before the 2006 New Year arrangements). We keep chinesecalendar's answer (layer 2) for 2005.
KNOWN_DISAGREEMENTS = {date(2005, 12, 31): "holidays: working (2006 notice), chinesecalendar: rest"}


def test_chinesecalendar_and_holidays_agree_for_every_year_both_cover() -> None:
    import chinese_calendar

    other = _holidays_package()
    first = min(chinese_calendar.constants.holidays).year
    last = max(chinese_calendar.constants.holidays).year
    assert (first, last) == (2004, 2026)  # update the comment above when the package grows
    disagreements = set()
    day = date(first, 1, 1)
    while day.year <= last:
        if chinese_calendar.is_workday(day) != other.is_working_day(day):
            disagreements.add(day)
        day += timedelta(days=1)
    assert disagreements == set(KNOWN_DISAGREEMENTS)
