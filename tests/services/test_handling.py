"""Handling-step validation as the clerk meets it (issue 11, defects 2, 3 and 21)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.domain.errors import FieldErrors
from dnw_desk.services.handling import extension_choices, handling_for
from tests.factories import CLERK, SHIFT_LEAD, desk_at, register

# Tuesday 2026-11-24 10:00; the case is due Wednesday 17:30.
START = datetime(2026, 11, 24, 10, 0, 20, tzinfo=HALL_TZ)


def test_informed_in_the_opinion_s_own_minute_is_accepted_and_kept_in_order(
    data_dir: Path,
) -> None:
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    handling = handling_for(desk)
    clock.advance(seconds=17)
    opinion = handling.perform(
        case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已办"}
    )
    clock.advance(seconds=5)
    # The dialog's default: now, to the minute (10:00), while the opinion was at 10:00:37.
    default = clock().replace(second=0, microsecond=0).isoformat()
    saved = handling.perform(
        case_id,
        EventType.COMPLAINANT_INFORMED,
        CLERK,
        {"channel": "phone", "at": default, "by": "王"},
    )
    events = handling.view(case_id).events
    opinion_at = next(e.at for e in events if e.event_id == opinion.event_ids[0])
    informed_at = next(e.at for e in events if e.event_id == saved.event_ids[0])
    assert informed_at >= opinion_at
    # A minute before the opinion is still refused.
    with pytest.raises(FieldErrors) as caught:
        handling.perform(
            case_id,
            EventType.WINDOW_INFORMED,
            CLERK,
            {"at": (opinion_at - timedelta(minutes=1)).isoformat(), "by": "联系人"},
        )
    assert set(caught.value.errors) == {"at"}


def test_an_extension_is_only_a_working_day_s_closing_time(data_dir: Path) -> None:
    # Friday 2026-11-27 10:00: due the same day 17:30 (referred Thursday).
    desk, clock = desk_at(data_dir, datetime(2026, 11, 26, 10, 0, tzinfo=HALL_TZ))
    case_id = register(desk).case.id
    clock.advance(hours=24)
    handling = handling_for(desk)
    state = handling.view(case_id).state
    assert state.deadline == datetime(2026, 11, 27, 17, 30, tzinfo=HALL_TZ)
    choices = extension_choices(state, clock(), desk.deadlines.working_time)
    first, adds = choices[0]
    assert first == datetime(2026, 11, 30, 17, 30, tzinfo=HALL_TZ)  # Monday, not Saturday
    assert adds == timedelta(hours=7)  # one working day: 09:00-12:00 and 13:30-17:30
    assert all(moment.weekday() < 5 for moment, _adds in choices)
    for refused in ("2026-11-28T17:30:00+08:00", "2026-11-30T16:00:00+08:00"):
        with pytest.raises(FieldErrors) as caught:
            handling.perform(
                case_id,
                EventType.EXTENSION_GRANTED,
                SHIFT_LEAD,
                {"deadline": refused, "reason": "需跨部门核查"},
            )
        assert "17:30" in caught.value.errors["deadline"]
    saved = handling.perform(
        case_id,
        EventType.EXTENSION_GRANTED,
        SHIFT_LEAD,
        {"deadline": first.isoformat(), "reason": "需跨部门核查"},
    )
    assert saved.case.deadline == first


def test_callback_records_its_time_and_channel_and_choices_say_choose(
    data_dir: Path, english: None
) -> None:
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    handling = handling_for(desk)
    with pytest.raises(FieldErrors) as caught:
        handling.perform(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "", "text": "已办"})
    assert caught.value.errors["kind"].startswith("Choose")
    handling.perform(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已办"})
    now = clock().isoformat()
    handling.perform(
        case_id, EventType.COMPLAINANT_INFORMED, CLERK, {"channel": "sms", "at": now, "by": "王"}
    )
    handling.perform(case_id, EventType.WINDOW_INFORMED, CLERK, {"at": now, "by": "联系人"})
    clock.advance(minutes=30)
    called = clock() - timedelta(minutes=10)
    with pytest.raises(FieldErrors) as caught:
        handling.perform(case_id, EventType.CALLBACK, CLERK, {"satisfaction": "satisfied"})
    assert set(caught.value.errors) == {"at", "channel"}
    saved = handling.perform(
        case_id,
        EventType.CALLBACK,
        CLERK,
        {"at": called.isoformat(), "channel": "phone", "satisfaction": "satisfied"},
    )
    callback = next(e for e in handling.view(case_id).events if e.event_id == saved.event_ids[0])
    assert callback.at == called and callback.data["channel"] == "phone"


def test_a_callback_before_the_opinion_is_refused_in_its_own_words(data_dir: Path) -> None:
    """The callback dialog's time field is 回访时间: its message must not speak of 告知."""
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    handling = handling_for(desk)
    clock.advance(minutes=5)
    handling.perform(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已办"})
    now = clock().isoformat()
    handling.perform(
        case_id, EventType.COMPLAINANT_INFORMED, CLERK, {"channel": "sms", "at": now, "by": "王"}
    )
    handling.perform(case_id, EventType.WINDOW_INFORMED, CLERK, {"at": now, "by": "联系人"})
    with pytest.raises(FieldErrors) as caught:
        handling.perform(
            case_id,
            EventType.CALLBACK,
            CLERK,
            {"at": START.isoformat(), "channel": "phone", "satisfaction": "satisfied"},
        )
    assert "回访" in caught.value.errors["at"]
    assert "告知" not in caught.value.errors["at"]
