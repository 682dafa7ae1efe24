"""Alert levels on the stored cases: cached level, one notification per crossing (also across a
restart), snooze, a new cycle after an extension."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import EventType
from dnw_desk.services.alerts import alerts_for
from dnw_desk.services.desk import open_desk
from dnw_desk.store.tables import cases
from tests.factories import CLERK, SHIFT_LEAD, desk_at, register

# Tuesday 10:00; the Civil Code deadline is Wednesday 17:30 (11.5 working hours later).
START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def _cached_level(desk, case_id: str) -> str:  # type: ignore[no-untyped-def]
    with desk.db.read() as conn:
        return str(conn.execute(select(cases.c.level).where(cases.c.id == case_id)).scalar_one())


def test_each_crossing_notifies_once_and_the_cached_level_follows(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    alerts = alerts_for(desk)
    assert alerts.refresh().notifications == ()
    assert _cached_level(desk, case_id) == "none"
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=HALL_TZ)  # 6 of 11.5 hours used
    first = alerts.refresh()
    assert [(n.case_id, n.level) for n in first.notifications] == [(case_id, AlertLevel.REMINDER)]
    assert first.level_changed == {case_id}
    assert _cached_level(desk, case_id) == "reminder"
    assert alerts.refresh().notifications == ()  # the same level again: silent
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)  # 1.5 h left
    assert [n.level for n in alerts.refresh().notifications] == [AlertLevel.WARNING]
    clock.now = datetime(2026, 11, 25, 17, 45, tzinfo=HALL_TZ)
    assert [n.level for n in alerts.refresh().notifications] == [AlertLevel.OVERDUE]
    assert alerts.refresh().notifications == ()
    assert _cached_level(desk, case_id) == "overdue"


def test_a_restart_does_not_repeat_a_notification(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    register(desk)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)
    assert len(alerts_for(desk).refresh().notifications) == 1
    desk.close()
    reopened = open_desk(data_dir, clock)
    try:
        assert alerts_for(reopened).refresh().notifications == ()
        # The next level still notifies after the restart.
        clock.now = datetime(2026, 11, 26, 9, 30, tzinfo=HALL_TZ)
        assert [n.level for n in alerts_for(reopened).refresh().notifications] == [
            AlertLevel.OVERDUE
        ]
    finally:
        reopened.close()


def test_a_desk_that_slept_through_levels_raises_one_notification(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    register(desk)
    clock.now = datetime(2026, 11, 26, 9, 30, tzinfo=HALL_TZ)
    tick = alerts_for(desk).refresh()
    assert [(n.previous, n.level) for n in tick.notifications] == [
        (AlertLevel.NONE, AlertLevel.OVERDUE)
    ]


def test_snooze_reminds_once_more_and_acknowledge_stops_it(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    register(desk)
    alerts = alerts_for(desk)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)
    shown = alerts.refresh().notifications
    alerts.snooze(shown, timedelta(minutes=10))
    clock.advance(minutes=5)
    assert alerts.refresh().notifications == ()
    clock.advance(minutes=6)
    again = alerts.refresh().notifications
    assert len(again) == 1 and again[0].reminder
    clock.advance(minutes=30)
    assert alerts.refresh().notifications == ()  # a snooze comes back once
    alerts.acknowledge(again, "shift_lead:li")
    assert alerts.refresh().notifications == ()


def test_an_extension_starts_a_new_cycle(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    row = register(desk).case
    alerts = alerts_for(desk)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)
    assert len(alerts.refresh().notifications) == 1
    later = datetime(2026, 11, 27, 17, 30, tzinfo=HALL_TZ).isoformat()
    desk.cases.record(row.id, EventType.EXTENSION_GRANTED, SHIFT_LEAD, {"deadline": later})
    tick = alerts.refresh()
    # No level crossing; the window is reminded to tell the complainant the new deadline.
    assert [n.task for n in tick.notifications] == ["tell_new_deadline"]
    assert _cached_level(desk, row.id) == "none"
    assert alerts.refresh().notifications == ()  # once
    clock.now = datetime(2026, 11, 27, 16, 0, tzinfo=HALL_TZ)
    assert [n.level for n in alerts.refresh().notifications] == [AlertLevel.WARNING]


def test_finished_cases_drop_back_to_no_level(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    alerts = alerts_for(desk)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)
    alerts.refresh()
    desk.cases.record(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已办"})
    desk.cases.record(case_id, EventType.COMPLAINANT_INFORMED, CLERK, {"channel": "phone"})
    desk.cases.record(case_id, EventType.WINDOW_INFORMED, CLERK, {"by": "联系人"})
    alerts.refresh()
    assert _cached_level(desk, case_id) == "none"


def _cards(desk, case_id: str) -> list[tuple[str, datetime]]:  # type: ignore[no-untyped-def]
    return [
        (e.data["level"], e.at)
        for e in desk.cases.events(case_id)
        if e.type is EventType.LEVEL_CROSSED
    ]


def test_the_running_desk_recomputes_only_what_is_due_and_misses_nothing(
    data_dir: Path,
) -> None:
    """``refresh_due`` (the desk's tick) walks every case once, then only the cases whose next
    level moment has come or whose clock moved — with the same notifications and cards as a
    full walk."""
    desk, clock = desk_at(data_dir, START)
    alerts = alerts_for(desk)
    assert alerts.refresh_due().notifications == ()  # the first tick: a full walk
    case_id = register(desk).case.id  # not told to the alert service: its clock is read
    assert alerts.refresh_due().notifications == ()
    assert alerts.next_wake is not None and alerts.next_wake > START
    clock.now = alerts.next_wake + timedelta(minutes=1)
    assert [n.level for n in alerts.refresh_due().notifications] == [AlertLevel.REMINDER]
    assert alerts.refresh_due().notifications == ()
    later = datetime(2026, 11, 27, 17, 30, tzinfo=HALL_TZ).isoformat()
    desk.cases.record(case_id, EventType.EXTENSION_GRANTED, SHIFT_LEAD, {"deadline": later})
    assert [n.task for n in alerts.refresh_due().notifications] == ["tell_new_deadline"]
    clock.now = datetime(2026, 11, 28, 9, 30, tzinfo=HALL_TZ)  # overdue, past the weekend
    assert [n.level for n in alerts.refresh_due(touched={case_id}).notifications] == [
        AlertLevel.OVERDUE
    ]
    assert _cached_level(desk, case_id) == "overdue"
    cards = _cards(desk, case_id)
    assert [level for level, _at in cards] == ["reminder", "warning", "overdue"]
    # A full walk finds nothing the incremental ticks missed.
    assert alerts_for(desk).refresh().notifications == ()
    assert _cards(desk, case_id) == cards


def test_a_failed_incremental_tick_loses_no_crossing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    alerts = alerts_for(desk)
    alerts.refresh_due()
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)  # warning level
    from dnw_desk.store import alert_queries

    def broken(*_args: object) -> None:
        raise RuntimeError("the disk is gone")

    with monkeypatch.context() as patched:
        patched.setattr(alert_queries, "set_levels", broken)
        with pytest.raises(RuntimeError):
            alerts.refresh_due()
    assert [n.level for n in alerts.refresh_due().notifications] == [AlertLevel.WARNING]
    assert _cached_level(desk, case_id) == "warning"


def test_a_tick_with_nothing_due_or_moved_recomputes_no_case(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each tick compares the pending cases' clocks with the ones it computed from; a clock
    read back unchanged must compare equal, or every case is walked on every tick."""
    desk, clock = desk_at(data_dir, START)
    for _ in range(3):
        register(desk)
    alerts = alerts_for(desk)
    alerts.refresh_due()  # the first tick: a full walk
    from dnw_desk.store import alert_queries

    walked: list[object] = []
    real = alert_queries.clocked_cases

    def spy(conn: object, statuses: object, case_ids: object = None) -> object:
        walked.append(case_ids)
        return real(conn, statuses, case_ids)  # type: ignore[arg-type]

    monkeypatch.setattr(alert_queries, "clocked_cases", spy)
    clock.now = START + timedelta(minutes=1)
    alerts.refresh_due()
    assert walked == []
