"""Working time: the opening hours of working days, in hall time (Asia/Shanghai).

Countdowns, the "N working hours" rule and the alert ladder all count only this time. All inputs
may be in any time zone (or naive = hall time); all results are aware datetimes in hall time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dnw_desk.clock import HALL_TZ, to_hall_time
from dnw_desk.domain.calendar import GUARD_DAYS, CalendarGuardError, WorkingCalendar
from dnw_desk.i18n import _

ZERO = timedelta(0)


class OpeningHoursError(ValueError):
    """Opening hours that are well written but impossible (a period ending before it starts,
    periods out of order); the message says which."""


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """The hall's opening hours on a working day: sorted, non-overlapping intervals.

    A plain value: services and the settings store pass it around, never a settings object.
    """

    intervals: tuple[tuple[time, time], ...] = (
        (time(9, 0), time(12, 0)),
        (time(13, 30), time(17, 30)),
    )

    def __post_init__(self) -> None:
        if not self.intervals:
            raise OpeningHoursError(_("Opening hours need at least one interval."))
        previous_end: time | None = None
        for start, end in self.intervals:
            if not start < end:
                raise OpeningHoursError(_("An opening interval must end after it starts."))
            if previous_end is not None and start < previous_end:
                raise OpeningHoursError(
                    _("Opening intervals must be in order and must not overlap.")
                )
            previous_end = end

    @property
    def opening(self) -> time:
        return self.intervals[0][0]

    @property
    def closing(self) -> time:
        return self.intervals[-1][1]

    @property
    def day_length(self) -> timedelta:
        return sum((_span(start, end) for start, end in self.intervals), ZERO)

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """From ``"09:00-12:00,13:30-17:30"``."""
        intervals = []
        for part in text.split(","):
            start, _sep, end = part.strip().partition("-")
            intervals.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
        return cls(tuple(intervals))

    def __str__(self) -> str:
        return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.intervals)


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=HALL_TZ)


class WorkingTime:
    """Working-time arithmetic over one calendar and one set of opening hours."""

    def __init__(self, calendar: WorkingCalendar, hours: OpeningHours | None = None) -> None:
        self.calendar = calendar
        self.hours = hours or OpeningHours()

    def closing_time(self, day: date) -> datetime:
        return _at(day, self.hours.closing)

    def is_closing_time(self, moment: datetime) -> bool:
        """Whether ``moment`` is a working day's closing time (make-up working days count)."""
        moment = to_hall_time(moment)
        return self.calendar.is_working_day(moment.date()) and moment == self.closing_time(
            moment.date()
        )

    def closing_times_after(self, moment: datetime, count: int) -> list[datetime]:
        """The closing times of the next ``count`` working days that end after ``moment``
        (the 60-day guard applies between two of them)."""
        moment = to_hall_time(moment)
        found: list[datetime] = []
        day = moment.date()
        idle = 0
        while len(found) < count:
            if self.calendar.is_working_day(day):
                idle = 0
                closing = self.closing_time(day)
                if closing > moment:
                    found.append(closing)
            else:
                idle += 1
                if idle > GUARD_DAYS:
                    break
            day += timedelta(days=1)
        return found

    def _open_intervals_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Opening intervals of working days from ``day`` on (the 60-day guard applies)."""
        idle = 0
        while True:
            if self.calendar.is_working_day(day):
                idle = 0
                for start, end in self.hours.intervals:
                    yield _at(day, start), _at(day, end)
            else:
                idle += 1
                if idle > GUARD_DAYS:
                    raise CalendarGuardError(
                        _("No working day within {days} days after {day}.").format(
                            days=GUARD_DAYS, day=day.isoformat()
                        )
                    )
            day += timedelta(days=1)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of working time has passed after ``start``.

        Ends inside an opening interval or exactly at its end (a deadline of 8 working hours that
        ends at noon is noon, not the afternoon opening).
        """
        start = to_hall_time(start)
        remaining = duration
        if remaining <= ZERO:
            return start
        for open_at, close_at in self._open_intervals_from(start.date()):
            if close_at <= start:
                continue
            begin = max(open_at, start)
            available = close_at - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``; zero when ``end`` is not after ``start``."""
        start, end = to_hall_time(start), to_hall_time(end)
        if end <= start:
            return ZERO
        total = ZERO
        day = start.date()
        last = end.date()
        while day <= last:
            if self.calendar.is_working_day(day):
                for open_s, close_s in self.hours.intervals:
                    begin = max(_at(day, open_s), start)
                    finish = min(_at(day, close_s), end)
                    if finish > begin:
                        total += finish - begin
            day += timedelta(days=1)
        return total

    def left(self, now: datetime, deadline: datetime) -> timedelta:
        """Working time left before ``deadline`` (zero once it has passed), for countdowns."""
        return self.between(now, deadline)

    def is_open(self, moment: datetime) -> bool:
        moment = to_hall_time(moment)
        if not self.calendar.is_working_day(moment.date()):
            return False
        clock = moment.timetz().replace(tzinfo=None)
        return any(start <= clock < end for start, end in self.hours.intervals)
