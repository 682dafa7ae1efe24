"""The review's level memo: the same levels as ``level_at`` at every moment, each case computed
once per step of its ladder, and again as soon as its clock moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.alerts import AlertLevel, AlertThresholds, PendingCase, level_at
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.services.alerts import LevelMemo

REFERRED = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)  # a Tuesday
DEADLINE = datetime(2026, 11, 25, 17, 30, tzinfo=HALL_TZ)


@dataclass(frozen=True)
class Row:
    id: str
    referred_at: datetime | None
    deadline: datetime | None
    escalated: bool = False


class CountingTime(WorkingTime):
    """Working time that counts how often the ladder's arithmetic ran."""

    def __init__(self) -> None:
        super().__init__(WorkingCalendar())
        self.calls = 0

    def between(self, start: datetime, end: datetime) -> timedelta:
        self.calls += 1
        return super().between(start, end)


def test_the_memo_gives_the_live_level_at_every_moment() -> None:
    working = WorkingTime(WorkingCalendar())
    memo = LevelMemo(working, AlertThresholds())
    rows = [
        Row("a", REFERRED, DEADLINE),
        Row("b", REFERRED, DEADLINE + timedelta(days=1)),
        Row("c", REFERRED, DEADLINE, escalated=True),
        Row("d", None, None),
    ]
    now = REFERRED
    while now < DEADLINE + timedelta(days=4):
        expected = [
            AlertLevel.NONE
            if row.deadline is None or row.referred_at is None
            else level_at(
                PendingCase(
                    row.id,
                    row.referred_at,
                    row.deadline,
                    row.referred_at if row.escalated else None,
                ),
                now,
                working,
            )
            for row in rows
        ]
        assert memo.levels(rows, now) == expected, now
        now += timedelta(minutes=20)


def test_a_level_is_computed_once_per_step_and_again_when_the_clock_moves() -> None:
    working = CountingTime()
    memo = LevelMemo(working, AlertThresholds())
    row = Row("a", REFERRED, DEADLINE)
    now = REFERRED + timedelta(hours=1)
    assert memo.levels([row], now) == [AlertLevel.NONE]
    computed = working.calls
    assert memo.levels([row], now + timedelta(minutes=5)) == [AlertLevel.NONE]
    assert working.calls == computed  # nothing moved: nothing recomputed
    extended = Row("a", REFERRED, DEADLINE + timedelta(days=2))
    memo.levels([extended], now + timedelta(minutes=6))
    assert working.calls > computed  # an extension moved the deadline
    computed = working.calls
    # The next morning the reminder's moment has passed: computed again, once.
    later = datetime(2026, 11, 26, 16, 0, tzinfo=HALL_TZ)
    assert memo.levels([extended], later) == [AlertLevel.REMINDER]
    assert working.calls > computed
    computed = working.calls
    assert memo.levels([extended], later + timedelta(minutes=1)) == [AlertLevel.REMINDER]
    assert working.calls == computed
