"""What the case detail shows that the services decide: why a step is not possible, and the
case's countdown."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import STATUS_LABELS, EventType
from dnw_desk.i18n import _
from dnw_desk.services.alerts import alerts_for
from dnw_desk.services.handling import (
    action_availability,
    case_countdown,
    handling_for,
    possible_actions,
)
from tests.factories import CLERK, SHIFT_LEAD, desk_at, register, register_refused

START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def test_a_step_not_possible_says_why(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    state = handling_for(desk).view(register(desk).case.id).state
    clerk = action_availability(state, CLERK)
    grant = clerk[EventType.EXTENSION_GRANTED]
    assert not grant.possible
    roles = _("Shift lead")
    assert grant.why_not == _("Only these roles may record this step: {roles}.").format(roles=roles)
    nobody = action_availability(state, None)[EventType.OPINION_GIVEN]
    assert (nobody.possible, nobody.why_not) == (False, _("Your role may not handle cases."))
    closed = action_availability(state, SHIFT_LEAD)[EventType.CLOSED]
    status = _(STATUS_LABELS[state.status])
    assert not closed.possible
    assert closed.why_not == _("Not possible while the case is “{status}”.").format(status=status)
    assert all(found.why_not == "" for found in clerk.values() if found.possible)
    assert possible_actions(state, CLERK) == {kind: f.possible for kind, f in clerk.items()}


def test_the_detail_countdown_is_the_queue_countdown(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    handling = handling_for(desk)
    view = handling.view(register(desk).case.id)
    assert view.deadline is not None and view.state.clock_started_at is not None
    level_of = alerts_for(desk).level_of
    working_time = desk.deadlines.working_time
    clock.advance(hours=3)
    now = clock()
    countdown = case_countdown(view, now, working_time, level_of)
    assert countdown is not None
    assert countdown.left == working_time.left(now, view.deadline)
    assert countdown.overdue == timedelta(0)
    assert countdown.level is level_of(view.state.clock_started_at, view.deadline, False, now)
    # Past the deadline it counts the working time since.
    late = view.deadline + timedelta(days=3)
    overdue = case_countdown(view, late, working_time, level_of)
    assert overdue is not None and overdue.overdue == working_time.between(view.deadline, late)
    assert overdue.level >= AlertLevel.OVERDUE


def test_a_case_without_a_running_clock_has_no_countdown(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    view = handling_for(desk).view(register_refused(desk).case.id)
    level_of = alerts_for(desk).level_of
    assert case_countdown(view, START, desk.deadlines.working_time, level_of) is None
