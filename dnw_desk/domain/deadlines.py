"""Feedback deadlines (docs/rules.md#deadlines).

Default rule, Civil Code arts. 201/203: a period counted in days starts the next day and, where
there are business hours, ends at closing time, so the deadline is the hall's **closing time on the
first working day after the day of referral** (the time of day of the referral does not matter:
a referral after closing or at 23:59 is still on that day). Alternative rule: **N working hours**
of opening time after the referral.

Each result carries the calendar version and whether any day it depends on was a provisional
answer, so the case can store them with its cached deadline and be recomputed when they change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from dnw_desk.clock import to_hall_time
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.working_time import OpeningHours, WorkingTime
from dnw_desk.i18n import _

RuleKind = Literal["civil-code", "working-hours"]
_WORKING_HOURS = re.compile(r"^working-hours:(\d+(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    kind: RuleKind = "civil-code"
    hours: float = 0.0

    def __post_init__(self) -> None:
        if self.kind == "working-hours" and not self.hours > 0:
            raise ValueError(_("The working-hours rule needs a positive number of hours."))

    @classmethod
    def civil_code(cls) -> DeadlineRule:
        return cls("civil-code")

    @classmethod
    def working_hours(cls, hours: float) -> DeadlineRule:
        return cls("working-hours", float(hours))

    @classmethod
    def parse(cls, text: str) -> DeadlineRule:
        """From the stored form: ``civil-code`` or ``working-hours:8``."""
        text = text.strip()
        if text == "civil-code":
            return cls.civil_code()
        match = _WORKING_HOURS.match(text)
        if match:
            return cls.working_hours(float(match.group(1)))
        raise ValueError(_("Unknown deadline rule: {rule}").format(rule=text))

    def __str__(self) -> str:
        if self.kind == "civil-code":
            return "civil-code"
        return f"working-hours:{self.hours:g}"


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    deadline: datetime  # aware, Asia/Shanghai
    provisional: bool
    calendar_version: str
    rule: str

    def as_json(self) -> dict[str, str | bool]:
        return {
            "deadline": self.deadline.isoformat(),
            "provisional": self.provisional,
            "calendar_version": self.calendar_version,
            "rule": self.rule,
        }


class DeadlineCalculator:
    """Deadlines for one calendar, opening hours and rule. Cheap to call many times: Civil Code
    deadlines depend only on the referral date, so they are memoised per date."""

    def __init__(
        self,
        calendar: WorkingCalendar,
        hours: OpeningHours | None = None,
        rule: DeadlineRule | None = None,
    ) -> None:
        self.calendar = calendar
        self.working_time = WorkingTime(calendar, hours)
        self.rule = rule or DeadlineRule()
        self._rule_text = str(self.rule)
        self._by_date: dict[date, DeadlineResult] = {}

    @property
    def calendar_version(self) -> str:
        return self.calendar.version

    def deadline_for(self, referred_at: datetime) -> DeadlineResult:
        referred_at = to_hall_time(referred_at)
        if self.rule.kind == "civil-code":
            day = referred_at.date()
            result = self._by_date.get(day)
            if result is None:
                result = self._civil_code(day)
                self._by_date[day] = result
            return result
        return self._working_hours(referred_at)

    def _civil_code(self, day: date) -> DeadlineResult:
        due_day, provisional = self.calendar.next_working_day(day)
        return DeadlineResult(
            self.working_time.closing_time(due_day),
            provisional,
            self.calendar.version,
            self._rule_text,
        )

    def _working_hours(self, referred_at: datetime) -> DeadlineResult:
        deadline = self.working_time.add(referred_at, timedelta(hours=self.rule.hours))
        day = referred_at.date()
        provisional = False
        while day <= deadline.date():
            provisional = provisional or self.calendar.is_provisional(day)
            day += timedelta(days=1)
        return DeadlineResult(deadline, provisional, self.calendar.version, self._rule_text)


def deadline_for(
    referred_at: datetime,
    calendar: WorkingCalendar,
    hours: OpeningHours | None = None,
    rule: DeadlineRule | None = None,
) -> DeadlineResult:
    """One deadline; for many, build a :class:`DeadlineCalculator` once and reuse it."""
    return DeadlineCalculator(calendar, hours, rule).deadline_for(referred_at)
