"""Time in the hall's zone (Asia/Shanghai), whatever the PC's time zone is.

Code that needs "now" takes a ``Clock`` so tests can pass a fake one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

HALL_TZ = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(HALL_TZ)


def to_hall_time(moment: datetime) -> datetime:
    """An aware datetime in hall time; naive values are taken to be hall time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=HALL_TZ)
    return moment.astimezone(HALL_TZ)


class FakeClock:
    """A settable clock for tests and demo data."""

    def __init__(self, start: datetime) -> None:
        self.now = to_hall_time(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)
