"""Which days the hall works: the three calendar layers of docs/rules.md#calendar.

1. the override file (dated ``holiday``/``workday`` entries, ``complete_years``);
2. the ``chinesecalendar`` package (official State Council schedules, raises outside its years);
3. a fallback past the data: weekends plus the statutory holidays of the 全国年节及纪念日放假办法
   as computed by the ``holidays`` package, every answer flagged **provisional**.

The first layer with an answer wins. No exception from a package escapes: a date a layer cannot
answer falls through to the next one, and the fallback answers for every year.
Answers are cached per year, so deadline computations are dictionary lookups.
"""

from __future__ import annotations

import calendar as gregorian
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import metadata
from typing import Literal

from dnw_desk.domain.calendar_override import (
    CalendarOverride,
    OverrideError,
)
from dnw_desk.i18n import _

log = logging.getLogger(__name__)

GUARD_DAYS = 60
Source = Literal["override", "chinesecalendar", "fallback"]


class CalendarGuardError(RuntimeError):
    """No working day within 60 days: the calendar data is broken, refuse to guess."""


@dataclass(frozen=True, slots=True)
class DayInfo:
    working: bool
    provisional: bool
    source: Source


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def _days_in(year: int) -> int:
    return 366 if gregorian.isleap(year) else 365


@cache
def _chinesecalendar_year(year: int) -> tuple[bool, ...] | None:
    """Working-day flags of a year from ``chinesecalendar``, or None outside its data."""
    try:
        import chinese_calendar

        start = date(year, 1, 1)
        days = _days_in(year)
        return tuple(
            bool(chinese_calendar.is_workday(start + timedelta(days=n))) for n in range(days)
        )
    except Exception:  # NotImplementedError outside its years; any other failure = no data
        return None


@cache
def _fallback_year(year: int) -> tuple[bool, ...]:
    """Weekends plus the statutory holidays (with the law's weekday make-up rest days)."""
    start = date(year, 1, 1)
    days = _days_in(year)
    try:
        import holidays

        # Adjacent years too: a make-up working day can belong to the next year's notice.
        china = holidays.country_holidays("CN", years=range(year - 1, year + 2))
        return tuple(bool(china.is_working_day(start + timedelta(days=n))) for n in range(days))
    except Exception:
        log.warning("holidays package failed for %s; using weekends only", year)
        return tuple((start + timedelta(days=n)).weekday() < 5 for n in range(days))


class WorkingCalendar:
    """The hall's calendar. Immutable once built; a new override means a new calendar."""

    def __init__(
        self,
        override: CalendarOverride | None = None,
        *,
        override_error: OverrideError | None = None,
    ) -> None:
        self.override = override
        # An installed override that no longer validates is ignored, and said so.
        self.override_error = override_error
        self.version = "+".join(
            (
                f"override:{override.label}" if override else "override:none",
                f"chinesecalendar:{_package_version('chinesecalendar')}",
                f"holidays:{_package_version('holidays')}",
            )
        )
        self._years: dict[int, tuple[tuple[bool, ...], tuple[bool, ...]]] = {}
        self._next_working: dict[date, tuple[date, bool]] = {}

    # -- single days ---------------------------------------------------------------------------

    def _year(self, year: int) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        official = _chinesecalendar_year(year)
        base = _fallback_year(year) if official is None else official
        start = date(year, 1, 1)
        working = list(base)
        provisional = [official is None] * len(working)
        if self.override is not None:
            for n in range(len(working)):
                said = self.override.day(start + timedelta(days=n))
                if said is not None:
                    working[n] = said
                    provisional[n] = False
        result = (tuple(working), tuple(provisional))
        self._years[year] = result
        return result

    def day(self, day: date) -> DayInfo:
        working, provisional = self._year(day.year)
        index = day.timetuple().tm_yday - 1
        if self.override is not None and self.override.day(day) is not None:
            source: Source = "override"
        else:
            source = "fallback" if provisional[index] else "chinesecalendar"
        return DayInfo(working[index], provisional[index], source)

    def is_working_day(self, day: date) -> bool:
        return self._year(day.year)[0][day.timetuple().tm_yday - 1]

    def is_provisional(self, day: date) -> bool:
        return self._year(day.year)[1][day.timetuple().tm_yday - 1]

    def next_working_day(self, after: date) -> tuple[date, bool]:
        """The first working day strictly after ``after``, and whether any day on the way was a
        provisional answer. Raises :class:`CalendarGuardError` past 60 days."""
        cached = self._next_working.get(after)
        if cached is not None:
            return cached
        provisional = False
        day = after
        for _step in range(GUARD_DAYS):
            if day == date.max:
                break
            day += timedelta(days=1)
            working, flags = self._year(day.year)
            index = day.timetuple().tm_yday - 1
            provisional = provisional or flags[index]
            if working[index]:
                result = (day, provisional)
                self._next_working[after] = result
                return result
        raise CalendarGuardError(
            _("No working day within {days} days after {day}: the calendar is broken.").format(
                days=GUARD_DAYS, day=after.isoformat()
            )
        )

    # -- years ---------------------------------------------------------------------------------

    def covered_officially(self, year: int) -> bool:
        """Whether every day of ``year`` comes from the override or the package's data."""
        if self.override is not None and self.override.covers_year(year):
            return True
        return _chinesecalendar_year(year) is not None

    def year_source(self, year: int) -> Source:
        if self.override is not None and self.override.covers_year(year):
            return "override"
        return "chinesecalendar" if _chinesecalendar_year(year) is not None else "fallback"

    def next_year_notice(self, today: date) -> str | None:
        """From 1 November, ask admins for next year's schedule if it is not covered officially."""
        if today < date(today.year, 11, 1):
            return None
        next_year = today.year + 1
        if self.covered_officially(next_year):
            return None
        return _(
            "The official holiday schedule for {year} is not installed. Deadlines in {year} are "
            "provisional (weekends and statutory holidays only). When the State Council publishes "
            "its notice on the {year} holidays, import it as a calendar override."
        ).format(year=next_year)
