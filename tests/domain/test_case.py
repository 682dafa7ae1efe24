from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import (
    CaseState,
    Event,
    EventType,
    Satisfaction,
    Status,
    apply_event,
    fold,
)
from dnw_desk.domain.errors import WorkflowError

T0 = datetime(2026, 11, 24, 9, 30, tzinfo=HALL_TZ)
DEADLINE = datetime(2026, 11, 25, 17, 30, tzinfo=HALL_TZ)

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def ev(event_type: EventType, minutes: int = 0, **data: Any) -> Event:
    return Event(
        str(uuid.uuid4()), "case-1", event_type, T0 + timedelta(minutes=minutes), "clerk:a", data
    )


def referred(minutes: int = 1, deadline: datetime = DEADLINE) -> Event:
    return ev(EventType.REFERRED, minutes, unit="省公安厅", deadline=deadline.isoformat())


def fed_back_timeline(at_minutes: int = 60) -> list[Event]:
    return [
        ev(EventType.REGISTERED),
        referred(),
        ev(EventType.UNIT_ACCEPTED, 5),
        ev(EventType.OPINION_GIVEN, at_minutes, kind="handled", text="已办结"),
        ev(EventType.COMPLAINANT_INFORMED, at_minutes + 1, channel="phone"),
        ev(EventType.WINDOW_INFORMED, at_minutes + 2),
    ]


def test_happy_path_folds_to_closed_and_on_time() -> None:
    timeline = [
        *fed_back_timeline(),
        ev(EventType.CALLBACK, 200, satisfaction="satisfied"),
        ev(EventType.CLOSED, 201),
    ]
    state = fold(timeline)
    assert state.status is Status.CLOSED
    assert state.on_time is True
    assert state.lead_unit == "省公安厅"
    assert state.deadline == DEADLINE


def test_statuses_along_the_way() -> None:
    state: CaseState | None = None
    seen = []
    for event in fed_back_timeline():
        state = apply_event(state, event)
        seen.append(state.status)
    assert seen == [
        Status.REGISTERED,
        Status.REFERRED,
        Status.ACCEPTED,
        Status.OPINION_GIVEN,
        Status.OPINION_GIVEN,
        Status.FED_BACK,
    ]


def test_feedback_after_deadline_is_late() -> None:
    late_minutes = int((DEADLINE - T0).total_seconds() // 60) + 10
    state = fold(fed_back_timeline(late_minutes))
    assert state.status is Status.FED_BACK
    assert state.on_time is False


@pytest.mark.parametrize(
    ("timeline", "message_part"),
    [
        ([ev(EventType.REFERRED, unit="x")], "registered first"),
        ([ev(EventType.REGISTERED), ev(EventType.REGISTERED)], "only once"),
        (
            [ev(EventType.REGISTERED), ev(EventType.CALLBACK, 1, satisfaction="satisfied")],
            "callback",
        ),
        ([ev(EventType.REGISTERED), ev(EventType.REFERRED, 1)], "unit is required"),
        ([ev(EventType.REGISTERED), ev(EventType.OPINION_GIVEN, 1)], "no unit"),
        ([ev(EventType.REGISTERED), ev(EventType.CLOSED, 1)], "after the feedback"),
        ([ev(EventType.REGISTERED), referred(), referred(2)], "already with a unit"),
        (
            [ev(EventType.REGISTERED), ev(EventType.NOT_ACCEPTED, 1), referred(2)],
            "finished",
        ),
        ([*fed_back_timeline(), ev(EventType.CLOSED, 300), referred(301)], "finished"),
        ([*fed_back_timeline(), ev(EventType.WINDOW_INFORMED, 300)], "feedback is recorded"),
        (
            [
                ev(EventType.REGISTERED),
                referred(),
                ev(EventType.OPINION_GIVEN, 2),
                ev(EventType.COMPLAINANT_INFORMED, 3),
                ev(EventType.COMPLAINANT_INFORMED, 4),
            ],
            "already recorded",
        ),
        ([*fed_back_timeline(), ev(EventType.CALLBACK, 300, satisfaction="great")], "unknown"),
        (
            [
                *fed_back_timeline(),
                ev(EventType.CALLBACK, 300, satisfaction="satisfied"),
                ev(EventType.REDO, 301),
            ],
            "unsatisfied",
        ),
        (
            [
                ev(EventType.REGISTERED),
                referred(),
                ev(
                    EventType.EXTENSION_GRANTED,
                    2,
                    deadline=(DEADLINE - timedelta(hours=1)).isoformat(),
                ),
            ],
            "later than",
        ),
        ([ev(EventType.REGISTERED, 10), ev(EventType.NOTE, 0)], "before the registration"),
    ],
)
def test_illegal_steps_are_refused_with_a_reason(timeline: list[Event], message_part: str) -> None:
    with pytest.raises(WorkflowError, match=message_part):
        fold(timeline)


def test_unit_return_requires_a_new_referral_and_counts_per_unit() -> None:
    state = fold(
        [
            ev(EventType.REGISTERED),
            referred(),
            ev(EventType.UNIT_RETURNED, 3, unit="省公安厅", reason="不属于本单位"),
            ev(EventType.REFERRED, 4, unit="省民政厅", deadline=DEADLINE.isoformat()),
        ]
    )
    assert state.status is Status.REFERRED
    assert state.returns == ("省公安厅",)
    assert state.lead_unit == "省民政厅"


def test_unsatisfied_callback_reopens_with_a_new_clock() -> None:
    new_deadline = DEADLINE + timedelta(days=1)
    state = fold(
        [
            *fed_back_timeline(),
            ev(EventType.CALLBACK, 300, satisfaction=Satisfaction.VERY_UNSATISFIED.value),
            ev(EventType.REDO, 301, reason="未解决", deadline=new_deadline.isoformat()),
        ]
    )
    assert state.status is Status.REFERRED
    assert state.redo_count == 1
    assert state.deadline == new_deadline
    assert state.opinion_at is None and state.on_time is None


def test_notes_and_prints_are_allowed_on_closed_cases() -> None:
    state = fold(
        [
            ev(EventType.REGISTERED),
            ev(EventType.NOT_ACCEPTED, 1, reason="信访事项"),
            ev(EventType.RECEIPT_PRINTED, 2, copy=1),
            ev(EventType.NOTE, 3, text="已告知"),
        ]
    )
    assert state.status is Status.NOT_ACCEPTED
    assert state.receipt_copies == 1


def test_escalation_and_extension_while_pending() -> None:
    later = DEADLINE + timedelta(days=2)
    state = fold(
        [
            ev(EventType.REGISTERED),
            referred(),
            ev(EventType.ESCALATED, 2, to="带班负责人"),
            ev(EventType.EXTENSION_GRANTED, 3, deadline=later.isoformat(), reason="需现场核查"),
        ]
    )
    assert state.escalated and state.deadline == later


def test_empty_timeline_is_an_error() -> None:
    with pytest.raises(WorkflowError):
        fold([])
