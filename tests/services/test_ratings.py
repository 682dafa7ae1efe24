"""The complainant's own rating: at the counter it rates the reception once and marks no unit;
after the feedback it takes the callback's place, and a 差评 opens the rectification and counts
against the unit like a bad callback."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.accountability import Mark, unit_marks
from dnw_desk.domain.case import EventType, RatingChannel, RatingStage, Satisfaction, Status
from dnw_desk.domain.errors import WorkflowError
from dnw_desk.services.handling import handling_for
from dnw_desk.services.ratings import Rating, open_stage, record_rating
from tests.factories import CLERK, UNIT, desk_at, register
from tests.services.test_accountability import _fed_back

pytestmark = pytest.mark.usefixtures("english")


def test_a_rating_at_the_counter_rates_the_reception_once_and_marks_no_unit(
    data_dir: Path,
) -> None:
    desk, _clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    case_id = register(desk).case.id
    assert open_stage(handling.view(case_id).state) is RatingStage.REGISTRATION
    bad = Rating(
        Satisfaction.VERY_UNSATISFIED, RatingStage.REGISTRATION, RatingChannel.DEVICE, "等太久"
    )
    record_rating(handling, case_id, bad, CLERK)
    events = desk.cases.events(case_id)
    assert events[-1].type is EventType.RATING
    assert events[-1].data == {
        "satisfaction": "very_unsatisfied",
        "stage": "registration",
        "channel": "rating_device",
        "reason": "等太久",
    }
    state = handling.view(case_id).state
    assert state.window_rating is Satisfaction.VERY_UNSATISFIED
    assert state.status is Status.REFERRED and not state.rectification_open
    assert unit_marks(events) == []
    assert open_stage(state) is None
    with pytest.raises(WorkflowError):
        record_rating(handling, case_id, bad, CLERK)
    desk.close()


def test_a_bad_rating_after_the_feedback_acts_as_a_bad_callback(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    case_id = register(desk).case.id
    _fed_back(desk, clock, case_id)
    assert open_stage(handling.view(case_id).state) is RatingStage.FEEDBACK
    clock.advance(minutes=10)
    satisfied = Rating(Satisfaction.SATISFIED, RatingStage.FEEDBACK, RatingChannel.DEVICE, "好")
    assert "reason" not in satisfied.data()  # a reason only with the two lowest levels
    bad = Rating(Satisfaction.UNSATISFIED, RatingStage.FEEDBACK, RatingChannel.ONLINE, "没解决")
    record_rating(handling, case_id, bad, CLERK)
    events = desk.cases.events(case_id)
    rating, opened = events[-2:]
    assert rating.type is EventType.RATING and opened.type is EventType.RECTIFICATION_OPENED
    state = handling.view(case_id).state
    assert state.status is Status.CALLED_BACK and state.rectification_open
    assert [m.mark for m in unit_marks(events) if m.unit == UNIT] == [Mark.BAD_RATING]
    with pytest.raises(WorkflowError):  # once per stage
        record_rating(handling, case_id, satisfied, CLERK)
    desk.close()


def test_a_bad_rating_pulled_from_the_status_page_opens_its_rectification_at_the_tick(
    data_dir: Path,
) -> None:
    from dnw_desk.services.alerts import alerts_for

    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    case_id = register(desk).case.id
    _fed_back(desk, clock, case_id)
    clock.advance(minutes=10)
    online = Rating(Satisfaction.VERY_UNSATISFIED, RatingStage.FEEDBACK, RatingChannel.ONLINE)
    desk.cases.record(case_id, EventType.RATING, CLERK, online.data())  # as a pull stores it
    alerts = alerts_for(desk)
    alerts.refresh()
    alerts.refresh()  # once
    types = [e.type for e in desk.cases.events(case_id)]
    assert types[-2:] == [EventType.RATING, EventType.RECTIFICATION_OPENED]
    assert handling.view(case_id).state.rectification_open
    desk.close()


def test_the_reception_of_a_matter_not_accepted_is_rated_too(data_dir: Path) -> None:
    from tests.factories import register_refused

    desk, _clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    case_id = register_refused(desk).case.id
    good = Rating(Satisfaction.SATISFIED, RatingStage.REGISTRATION, RatingChannel.DEVICE)
    record_rating(handling, case_id, good, CLERK)
    state = handling.view(case_id).state
    assert state.status is Status.NOT_ACCEPTED and state.window_rating is Satisfaction.SATISFIED
    handling_rating = Rating(Satisfaction.SATISFIED, RatingStage.FEEDBACK, RatingChannel.DEVICE)
    with pytest.raises(WorkflowError):  # nothing else happens to a finished case
        record_rating(handling, case_id, handling_rating, CLERK)
    desk.close()
