"""The accountability rules on the timeline, with a fake clock: return review, extension request
and decision, 好差评 with rectification and appeal, cards, co-units, 补办."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.domain.accountability import Mark, unit_marks
from dnw_desk.domain.case import (
    Event,
    EventType,
    Satisfaction,
    Status,
    apply_new_event,
    deadline_problem,
    fold,
)
from dnw_desk.domain.errors import WorkflowError

pytestmark = pytest.mark.usefixtures("english")

T0 = datetime(2026, 11, 24, 9, 30, tzinfo=HALL_TZ)  # Tuesday
DEADLINE = datetime(2026, 11, 25, 17, 30, tzinfo=HALL_TZ)
POLICE, CIVIL = "省公安厅", "省民政厅"


class Timeline:
    """Events appended at the fake clock's moments."""

    def __init__(self, consent: bool = True, co_units: tuple[str, ...] = ()) -> None:
        self.clock = FakeClock(T0)
        self.events: list[Event] = []
        self.add(
            EventType.REGISTERED,
            complainant={"consent_callback": consent},
            matter={"co_units": list(co_units)},
        )

    def add(self, event_type: EventType, minutes: float = 0, /, **data: Any) -> Timeline:
        self.clock.advance(minutes=minutes)
        self.events.append(
            Event(str(uuid.uuid4()), "c1", event_type, self.clock(), "clerk:a", data)
        )
        return self

    def at(self, moment: datetime) -> Timeline:
        self.clock.now = moment
        return self

    def refer(self, unit: str = POLICE, deadline: datetime = DEADLINE) -> Timeline:
        return self.add(EventType.REFERRED, 1, unit=unit, deadline=deadline.isoformat())

    @property
    def state(self):  # type: ignore[no-untyped-def]
        return fold(self.events)

    def marks(self) -> list[tuple[str, Mark]]:
        return [(m.unit, m.mark) for m in unit_marks(self.events)]

    def fed_back(self) -> Timeline:
        self.add(EventType.OPINION_GIVEN, 30, kind="handled", text="已办")
        self.add(EventType.COMPLAINANT_INFORMED, 1, channel="phone")
        return self.add(EventType.WINDOW_INFORMED, 1)


# --- return review (退单审核) ------------------------------------------------------------------


def test_a_return_after_the_deadline_counts_overdue_for_the_returning_unit() -> None:
    tl = Timeline().refer().add(EventType.UNIT_ACCEPTED, 5)
    tl.at(DEADLINE + timedelta(hours=1)).add(
        EventType.UNIT_RETURNED, unit=POLICE, reason="非本单位"
    )
    assert tl.state.status is Status.RETURNED
    assert tl.state.late_returns == (POLICE,)
    assert tl.marks() == [(POLICE, Mark.RETURN), (POLICE, Mark.LATE_RETURN)]


def test_a_return_in_time_counts_as_a_return_only() -> None:
    tl = Timeline().refer().add(EventType.UNIT_RETURNED, 30, unit=POLICE, reason="非本单位")
    assert tl.marks() == [(POLICE, Mark.RETURN)]
    assert tl.state.window_tasks == ("return_review",)


def test_a_rejected_return_goes_back_to_the_same_unit_with_its_original_deadline() -> None:
    tl = Timeline().refer().add(EventType.UNIT_ACCEPTED, 5)
    tl.add(EventType.UNIT_RETURNED, 60, unit=POLICE, reason="非本单位")
    with pytest.raises(WorkflowError, match="reason"):
        fold([*tl.events, _ev(tl, EventType.RETURN_REVIEWED, decision="rejected")])
    tl.add(EventType.RETURN_REVIEWED, 30, decision="rejected", reason="属于本单位职责")
    state = tl.state
    assert state.status is Status.ACCEPTED
    assert state.lead_unit == POLICE
    assert state.deadline == DEADLINE
    assert state.clock_started_at == T0 + timedelta(minutes=1)
    assert tl.marks() == [(POLICE, Mark.RETURN), (POLICE, Mark.RETURN_REJECTED)]


def test_an_accepted_return_is_referred_again_with_a_new_clock() -> None:
    tl = Timeline().refer().add(EventType.UNIT_RETURNED, 60, unit=POLICE, reason="非本单位")
    tl.add(EventType.RETURN_REVIEWED, 10, decision="accepted")
    assert tl.state.status is Status.RETURNED and not tl.state.window_tasks
    with pytest.raises(WorkflowError):  # reviewed once
        fold([*tl.events, _ev(tl, EventType.RETURN_REVIEWED, decision="accepted")])
    new_deadline = DEADLINE + timedelta(days=1)
    tl.refer(CIVIL, new_deadline)
    assert tl.state.lead_unit == CIVIL and tl.state.deadline == new_deadline
    assert tl.state.clock_started_at == tl.clock()
    assert tl.marks() == [(POLICE, Mark.RETURN), (POLICE, Mark.RETURN_ACCEPTED)]


def _ev(tl: Timeline, kind: EventType, **data: Any) -> Event:
    return Event(str(uuid.uuid4()), "c1", kind, tl.clock(), "clerk:a", data)


# --- extensions (延期申请) ----------------------------------------------------------------------


def test_an_extension_request_is_decided_by_a_date_and_the_complainant_must_be_told() -> None:
    tl = Timeline().refer().add(EventType.UNIT_ACCEPTED, 5)
    asked = DEADLINE + timedelta(days=2)
    with pytest.raises(WorkflowError, match="reason"):
        fold([*tl.events, _ev(tl, EventType.EXTENSION_REQUESTED, deadline=asked.isoformat())])
    tl.add(EventType.EXTENSION_REQUESTED, 10, deadline=asked.isoformat(), reason="需现场核查")
    assert tl.state.extension_request == asked
    assert tl.state.window_tasks == ("extension_decision",)
    granted = DEADLINE + timedelta(days=1)  # the shift lead approves another date
    tl.add(EventType.EXTENSION_DECIDED, 10, decision="accepted", deadline=granted.isoformat())
    state = tl.state
    assert state.deadline == granted and state.extension_request is None
    assert state.window_tasks == ("tell_new_deadline",)
    tl.add(EventType.NEW_DEADLINE_INFORMED, 5, channel="phone")
    assert tl.state.window_tasks == ()
    assert tl.marks() == [(POLICE, Mark.EXTENSION_REQUESTED), (POLICE, Mark.EXTENSION_GRANTED)]


def test_a_rejected_extension_request_keeps_the_deadline_and_needs_a_reason() -> None:
    tl = Timeline().refer()
    asked = DEADLINE + timedelta(days=2)
    tl.add(EventType.EXTENSION_REQUESTED, 10, deadline=asked.isoformat(), reason="需现场核查")
    with pytest.raises(WorkflowError, match="reason"):
        fold([*tl.events, _ev(tl, EventType.EXTENSION_DECIDED, decision="rejected")])
    tl.add(EventType.EXTENSION_DECIDED, 10, decision="rejected", reason="时间充足")
    assert tl.state.deadline == DEADLINE and not tl.state.deadline_untold
    assert tl.marks() == [(POLICE, Mark.EXTENSION_REQUESTED)]


def test_a_shift_lead_extends_on_their_own_and_the_complainant_must_be_told() -> None:
    tl = Timeline().refer()
    tl.add(EventType.EXTENSION_GRANTED, 10, deadline=(DEADLINE + timedelta(days=1)).isoformat())
    assert tl.state.deadline_untold
    assert tl.marks() == [(POLICE, Mark.EXTENSION_GRANTED)]


def test_a_deadline_outside_the_calendar_is_named() -> None:
    tl = Timeline().refer()
    far = _ev(tl, EventType.EXTENSION_REQUESTED, deadline="2027-12-31T17:30:00+08:00")
    past = _ev(tl, EventType.EXTENSION_GRANTED, deadline="2026-01-05T17:30:00+08:00")
    fine = _ev(tl, EventType.EXTENSION_GRANTED, deadline=DEADLINE.isoformat())
    assert "more than 120 days" in (deadline_problem(far) or "")
    assert "not after" in (deadline_problem(past) or "")
    assert deadline_problem(fine) is None


# --- 好差评, rectification, appeal ---------------------------------------------------------------


def test_neutral_counts_as_satisfied_and_only_the_two_lowest_are_bad() -> None:
    assert Satisfaction.NEUTRAL.counts_satisfied
    assert {s for s in Satisfaction if s.is_unsatisfied} == {
        Satisfaction.UNSATISFIED,
        Satisfaction.VERY_UNSATISFIED,
    }


def test_a_callback_without_consent_is_refused_and_recorded_as_no_callback() -> None:
    tl = Timeline(consent=False).refer().fed_back()
    callback = _ev(tl, EventType.CALLBACK, satisfaction="satisfied")
    with pytest.raises(WorkflowError, match="did not agree"):
        apply_new_event(tl.state, callback)
    # A callback recorded before the rule existed still folds (history is never refused).
    assert fold([*tl.events, callback]).satisfaction is Satisfaction.SATISFIED
    tl.add(EventType.CALLBACK_SKIPPED, 10, reason="no_consent")
    assert tl.state.callback_skipped
    tl.add(EventType.CLOSED, 1)
    assert tl.state.status is Status.CLOSED


def test_no_callback_is_refused_when_the_complainant_agreed() -> None:
    tl = Timeline().refer().fed_back()
    with pytest.raises(WorkflowError, match="agreed"):
        fold([*tl.events, _ev(tl, EventType.CALLBACK_SKIPPED)])


def test_a_bad_rating_opens_a_rectification_that_ends_with_report_and_new_callback() -> None:
    tl = Timeline().refer().fed_back()
    tl.add(EventType.CALLBACK, 60, satisfaction="unsatisfied", channel="phone", by="clerk:a")
    due = tl.clock() + timedelta(days=7)
    tl.add(EventType.RECTIFICATION_OPENED, 0, deadline=due.isoformat())
    assert tl.state.rectification_open
    with pytest.raises(WorkflowError, match="rectification"):
        fold([*tl.events, _ev(tl, EventType.CLOSED)])
    tl.at(due - timedelta(hours=1)).add(EventType.RECTIFICATION_REPORTED, text="已整改")
    tl.add(EventType.CALLBACK, 30, satisfaction="neutral")
    assert not tl.state.rectification_open
    tl.add(EventType.CLOSED, 1)
    assert tl.marks() == [(POLICE, Mark.BAD_RATING), (POLICE, Mark.RECTIFICATION_ON_TIME)]


def test_a_late_rectification_report_counts_late() -> None:
    tl = Timeline().refer().fed_back()
    tl.add(EventType.CALLBACK, 60, satisfaction="very_unsatisfied")
    due = tl.clock() + timedelta(days=7)
    tl.add(EventType.RECTIFICATION_OPENED, 0, deadline=due.isoformat())
    tl.at(due + timedelta(hours=1)).add(EventType.RECTIFICATION_REPORTED, text="已整改")
    assert (POLICE, Mark.RECTIFICATION_LATE) in tl.marks()


def test_an_upheld_appeal_voids_the_bad_rating_and_its_rectification() -> None:
    tl = Timeline().refer().fed_back()
    tl.add(EventType.CALLBACK, 60, satisfaction="unsatisfied")
    tl.add(EventType.RECTIFICATION_OPENED, 0, deadline=(tl.clock() + timedelta(days=7)).isoformat())
    tl.add(EventType.RATING_APPEALED, 10, reason="反映人诉求超出法定范围")
    assert tl.state.window_tasks == ("appeal_decision",)
    tl.add(EventType.APPEAL_DECIDED, 10, decision="accepted")
    assert not tl.state.rectification_open and tl.state.rating_voided
    assert tl.marks() == []
    tl.add(EventType.CLOSED, 1)


def test_a_rejected_appeal_keeps_the_bad_rating() -> None:
    tl = Timeline().refer().fed_back()
    tl.add(EventType.CALLBACK, 60, satisfaction="unsatisfied")
    tl.add(EventType.RATING_APPEALED, 10, reason="不服")
    tl.add(EventType.APPEAL_DECIDED, 10, decision="rejected", reason="评价属实")
    assert tl.marks() == [(POLICE, Mark.BAD_RATING)]


# --- cards, co-units, 补办 ----------------------------------------------------------------------


def test_each_card_is_recorded_once_per_clock() -> None:
    tl = Timeline().refer()
    tl.at(DEADLINE + timedelta(minutes=1)).add(EventType.LEVEL_CROSSED, level="overdue")
    with pytest.raises(WorkflowError, match="already"):
        fold([*tl.events, _ev(tl, EventType.LEVEL_CROSSED, level="overdue")])
    tl.add(EventType.LEVEL_CROSSED, 60 * 9, level="escalated")
    assert tl.state.escalated
    assert tl.marks() == [(POLICE, Mark.RED_CARD), (POLICE, Mark.ESCALATED)]


def test_a_co_unit_gives_its_part_within_the_same_clock() -> None:
    tl = Timeline(co_units=(CIVIL,)).refer()
    assert tl.state.co_units == (CIVIL,)
    with pytest.raises(WorkflowError, match="co-unit"):
        fold([*tl.events, _ev(tl, EventType.CO_UNIT_OPINION, unit="省教育厅", text="意见")])
    tl.add(EventType.CO_UNIT_OPINION, 60, unit=CIVIL, text="协办意见")
    tl.at(DEADLINE + timedelta(hours=2)).fed_back()
    assert tl.state.co_opinions == (CIVIL,)
    assert tl.marks() == [(CIVIL, Mark.CO_UNIT_ON_TIME)]


def test_an_inadequate_answer_goes_back_and_the_clock_keeps_running() -> None:
    tl = Timeline().refer().add(EventType.UNIT_ACCEPTED, 5)
    tl.add(EventType.OPINION_GIVEN, 30, kind="handled", text="已办")
    assert tl.state.window_tasks == ("answer_check",)
    tl.add(EventType.ANSWER_REJECTED, 10, reason="答复未回应诉求")
    state = tl.state
    assert state.status is Status.ACCEPTED and state.opinion_at is None
    assert state.deadline == DEADLINE and state.clock_started_at == T0 + timedelta(minutes=1)
    assert tl.marks() == [(POLICE, Mark.ANSWER_REJECTED)]


def test_a_redo_takes_the_place_of_the_rectification() -> None:
    tl = Timeline().refer().fed_back()
    tl.add(EventType.CALLBACK, 60, satisfaction="unsatisfied")
    tl.add(EventType.RECTIFICATION_OPENED, 0, deadline=(tl.clock() + timedelta(days=7)).isoformat())
    tl.add(EventType.REDO, 10, deadline=(tl.clock() + timedelta(days=1)).isoformat())
    assert tl.state.status is Status.REFERRED and not tl.state.rectification_open
