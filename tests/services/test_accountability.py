"""The accountability steps through the desk's use cases: extension dates on the calendar, cards
recorded once (also for crossings while the desk was closed), a bad rating's rectification,
steps recorded for a unit marked so, and the bulletin's figures."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.domain.errors import FieldErrors
from dnw_desk.services.alerts import alerts_for
from dnw_desk.services.cases import PermissionDenied
from dnw_desk.services.desk import open_desk
from dnw_desk.services.handling import handling_for
from dnw_desk.services.review import review_for
from tests.factories import CLERK, SHIFT_LEAD, UNIT, desk_at, register

pytestmark = pytest.mark.usefixtures("english")


def _types(desk, case_id: str) -> list[EventType]:  # type: ignore[no-untyped-def]
    return [event.type for event in desk.cases.events(case_id)]


def test_an_extension_to_a_saturday_is_refused_unless_it_is_a_make_up_working_day(
    data_dir: Path,
) -> None:
    # Thursday 8 October 2026: the deadline is Friday's closing time; Saturday 10 October is a
    # make-up working day (调休), Saturday 28 November is not.
    desk, clock = desk_at(data_dir, datetime(2026, 10, 8, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    case_id = register(desk).case.id
    make_up = datetime(2026, 10, 10, 17, 30, tzinfo=HALL_TZ)
    saved = handling.perform(
        case_id,
        EventType.EXTENSION_REQUESTED,
        CLERK,
        {"deadline": make_up.isoformat(), "reason": "需现场核查"},
    )
    assert saved.case.deadline == datetime(2026, 10, 9, 17, 30, tzinfo=HALL_TZ)
    [request] = [e for e in desk.cases.events(case_id) if e.type is EventType.EXTENSION_REQUESTED]
    assert request.data["recorded_by_window"] is True and request.data["unit"] == UNIT

    clock.now = datetime(2026, 11, 26, 10, 0, tzinfo=HALL_TZ)  # Thursday
    other = register(desk).case.id
    with pytest.raises(FieldErrors) as refused:
        handling.perform(
            other,
            EventType.EXTENSION_REQUESTED,
            CLERK,
            {"deadline": "2026-11-28T17:30:00+08:00", "reason": "需现场核查"},
        )
    assert "closing time" in refused.value.errors["deadline"]
    desk.close()


def test_only_a_shift_lead_decides_an_extension_and_the_window_is_reminded_to_tell(
    data_dir: Path,
) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    case_id = register(desk).case.id
    asked = "2026-11-27T17:30:00+08:00"
    handling.perform(
        case_id, EventType.EXTENSION_REQUESTED, CLERK, {"deadline": asked, "reason": "需核查"}
    )
    with pytest.raises(PermissionDenied):
        handling.perform(case_id, EventType.EXTENSION_DECIDED, CLERK, {"decision": "accepted"})
    clock.advance(minutes=10)
    saved = handling.perform(
        case_id,
        EventType.EXTENSION_DECIDED,
        SHIFT_LEAD,
        {"decision": "accepted", "deadline": "2026-11-26T17:30:00+08:00"},
    )
    assert saved.case.deadline == datetime(2026, 11, 26, 17, 30, tzinfo=HALL_TZ)
    view = handling.view(case_id)
    assert view.state.window_tasks == ("tell_new_deadline",)
    handling.perform(
        case_id,
        EventType.NEW_DEADLINE_INFORMED,
        CLERK,
        {"channel": "phone", "at": clock().isoformat(), "by": "王五"},
    )
    assert handling.view(case_id).state.window_tasks == ()
    desk.close()


def test_a_crossing_while_the_desk_was_closed_is_recorded_once_at_the_next_start(
    data_dir: Path,
) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    case_id = register(desk).case.id  # deadline Wednesday 17:30
    alerts_for(desk).refresh()
    assert EventType.LEVEL_CROSSED not in _types(desk, case_id)
    desk.close()
    # Opened again on Friday morning: the reminder, the warning, the overdue (Wednesday 17:30)
    # and the 督办 (Thursday 17:30) all happened while it was closed.
    clock.now = datetime(2026, 11, 27, 9, 15, tzinfo=HALL_TZ)
    desk = open_desk(data_dir, clock)
    alerts = alerts_for(desk)
    alerts.refresh()
    alerts.refresh()
    cards = [e for e in desk.cases.events(case_id) if e.type is EventType.LEVEL_CROSSED]
    assert [(e.data["level"], e.at) for e in cards] == [
        ("reminder", datetime(2026, 11, 25, 9, 30, tzinfo=HALL_TZ)),  # 6.5 of 13 hours
        ("warning", datetime(2026, 11, 25, 15, 30, tzinfo=HALL_TZ)),
        ("overdue", datetime(2026, 11, 25, 17, 30, tzinfo=HALL_TZ)),
        ("escalated", datetime(2026, 11, 26, 17, 30, tzinfo=HALL_TZ)),
    ]
    assert all(e.actor == "system:desk" and e.data["unit"] == UNIT for e in cards)
    desk.close()
    desk = open_desk(data_dir, clock)
    alerts_for(desk).refresh()
    assert _types(desk, case_id).count(EventType.LEVEL_CROSSED) == 4  # once, also on restart
    bulletin = review_for(desk).unit_bulletin(date(2026, 11, 1))
    [unit] = [u for u in bulletin.units if u.unit == UNIT]
    assert (unit.yellow_cards, unit.red_cards, unit.escalations) == (1, 1, 1)
    desk.close()


def _fed_back(desk, clock, case_id: str) -> None:  # type: ignore[no-untyped-def]
    handling = handling_for(desk)
    for event_type, values in (
        (EventType.OPINION_GIVEN, {"kind": "handled", "text": "已办"}),
        (EventType.COMPLAINANT_INFORMED, {"channel": "phone", "at": None, "by": "王五"}),
        (EventType.WINDOW_INFORMED, {"at": None, "by": "王五"}),
    ):
        clock.advance(minutes=10)
        if "at" in values:
            values = {**values, "at": clock().isoformat()}
        handling.perform(case_id, event_type, CLERK, values)


def test_a_bad_rating_opens_a_rectification_due_five_working_days_later(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    case_id = register(desk).case.id
    _fed_back(desk, clock, case_id)
    clock.advance(minutes=10)
    handling_for(desk).perform(
        case_id,
        EventType.CALLBACK,
        CLERK,
        {"at": clock().isoformat(), "channel": "phone", "satisfaction": "unsatisfied"},
    )
    events = desk.cases.events(case_id)
    callback, opened = events[-2:]
    assert callback.data["by"] == CLERK.audit_name  # who called
    assert opened.type is EventType.RECTIFICATION_OPENED
    # 5 working days counted from Wednesday: Tuesday 1 December at closing time.
    assert opened.data["deadline"] == "2026-12-01T17:30:00+08:00"
    state = handling_for(desk).view(case_id).state
    assert state.rectification_open
    desk.close()


def test_a_return_after_the_deadline_shows_in_the_bulletin_as_overdue(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    late = register(desk).case.id
    on_time = register(desk).case.id
    handling.perform(on_time, EventType.UNIT_RETURNED, CLERK, {"reason": "非本单位"})
    clock.now = datetime(2026, 11, 26, 10, 0, tzinfo=HALL_TZ)  # after Wednesday 17:30
    handling.perform(late, EventType.UNIT_RETURNED, CLERK, {"reason": "非本单位"})
    handling.perform(on_time, EventType.RETURN_REVIEWED, CLERK, {"decision": "accepted"})
    handling.perform(
        late, EventType.RETURN_REVIEWED, CLERK, {"decision": "rejected", "reason": "属本单位职责"}
    )
    bulletin = review_for(desk).unit_bulletin(date(2026, 11, 1))
    [unit] = [u for u in bulletin.units if u.unit == UNIT]
    assert unit.returns == 2
    assert unit.late_returns == 1
    assert (unit.returns_accepted, unit.returns_rejected) == (1, 1)
    # The late return counts overdue, and the rejected case is back with the unit, still late.
    assert unit.overdue >= 1
    desk.close()


def test_cases_waiting_on_the_window_have_their_own_queue_and_raise_the_banner(
    data_dir: Path,
) -> None:
    from dnw_desk.services.queue import QueueQuery, QueueService, QueueView

    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    returned = register(desk).case.id
    register(desk)  # with its unit: nothing for the window to do
    handling.perform(returned, EventType.UNIT_RETURNED, CLERK, {"reason": "非本单位"})
    queue = QueueService(desk.db)
    page = queue.page(QueueQuery(view=QueueView.WINDOW), clock().date(), 0, 50)
    assert [row.id for row in page.rows] == [returned]
    tick = alerts_for(desk).refresh()
    assert [(n.case_id, n.task) for n in tick.notifications] == [(returned, "return_review")]
    assert alerts_for(desk).refresh().notifications == ()  # once
    handling.perform(returned, EventType.RETURN_REVIEWED, CLERK, {"decision": "accepted"})
    assert queue.page(QueueQuery(view=QueueView.WINDOW), clock().date(), 0, 50).rows == ()
    desk.close()


def test_the_desk_reminds_to_tell_the_new_deadline_until_it_is_recorded(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    case_id = register(desk).case.id
    later = "2026-11-27T17:30:00+08:00"
    handling_for(desk).perform(
        case_id, EventType.EXTENSION_GRANTED, SHIFT_LEAD, {"deadline": later, "reason": "需核查"}
    )
    alerts = alerts_for(desk)
    [told] = alerts.refresh().notifications
    assert told.task == "tell_new_deadline"
    alerts.snooze([told])
    clock.advance(minutes=20)
    [again] = alerts.refresh().notifications
    assert again.task == "tell_new_deadline" and again.reminder
    handling_for(desk).perform(
        case_id,
        EventType.NEW_DEADLINE_INFORMED,
        CLERK,
        {"channel": "sms", "at": clock().isoformat(), "by": "王五"},
    )
    alerts.snooze([again])
    clock.advance(minutes=20)
    assert alerts.refresh().notifications == ()  # recorded: no more reminders
    desk.close()


def test_a_referral_names_co_units_whose_part_counts_for_each(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    case_id = register(desk).case.id
    handling.perform(case_id, EventType.UNIT_RETURNED, CLERK, {"reason": "需多部门"})
    handling.perform(case_id, EventType.RETURN_REVIEWED, CLERK, {"decision": "accepted"})
    with pytest.raises(FieldErrors) as wrong:
        handling.perform(
            case_id, EventType.REFERRED, CLERK, {"unit": UNIT, "co_units": "省教育厅、不存在厅"}
        )
    assert "不存在厅" in wrong.value.errors["co_units"]
    handling.perform(
        case_id, EventType.REFERRED, CLERK, {"unit": UNIT, "co_units": "省教育厅、省民政厅"}
    )
    assert handling.view(case_id).state.co_units == ("省教育厅", "省民政厅")
    clock.advance(hours=1)
    handling.perform(
        case_id, EventType.CO_UNIT_OPINION, CLERK, {"unit": "省教育厅", "text": "协办意见"}
    )
    clock.now = datetime(2026, 11, 26, 10, 0, tzinfo=HALL_TZ)  # after the deadline
    handling.perform(
        case_id, EventType.CO_UNIT_OPINION, CLERK, {"unit": "省民政厅", "text": "协办意见"}
    )
    bulletin = {u.unit: u for u in review_for(desk).unit_bulletin(date(2026, 11, 1)).units}
    assert bulletin["省教育厅"].co_unit_parts == 1 and bulletin["省教育厅"].co_unit_late == 0
    assert bulletin["省民政厅"].co_unit_late == 1 and bulletin["省民政厅"].overdue == 1
    desk.close()


def test_a_rectification_has_its_own_alert_ladder(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    case_id = register(desk).case.id
    _fed_back(desk, clock, case_id)
    clock.advance(minutes=10)
    handling_for(desk).perform(
        case_id,
        EventType.CALLBACK,
        CLERK,
        {"at": clock().isoformat(), "channel": "phone", "satisfaction": "very_unsatisfied"},
    )
    # Due Tuesday 1 December 17:30; on Thursday 3 December it is two working days overdue.
    clock.now = datetime(2026, 12, 3, 9, 30, tzinfo=HALL_TZ)
    alerts_for(desk).refresh()
    alerts_for(desk).refresh()
    cards = [e for e in desk.cases.events(case_id) if e.type is EventType.LEVEL_CROSSED]
    rectification = [e for e in cards if e.data.get("track") == "rectification"]
    assert [e.data["level"] for e in rectification] == [
        "reminder",
        "warning",
        "overdue",
        "escalated",
    ]
    assert rectification[2].at == datetime(2026, 12, 1, 17, 30, tzinfo=HALL_TZ)
    clock.advance(minutes=5)
    handling_for(desk).perform(case_id, EventType.RECTIFICATION_REPORTED, CLERK, {"text": "已整改"})
    alerts_for(desk).refresh()
    assert [e.type for e in desk.cases.events(case_id)].count(EventType.LEVEL_CROSSED) == len(cards)
    bulletin = review_for(desk).unit_bulletin(date(2026, 12, 1))
    [unit] = [u for u in bulletin.units if u.unit == UNIT]
    assert (unit.red_cards, unit.escalations, unit.rectifications_late) == (1, 1, 1)
    desk.close()
