"""A case is an append-only timeline of events; its status is a fold over them
(docs/rules.md#lifecycle).

``apply_event`` is the single place that knows which step may follow which. Services call it
before they write an event, so an illegal step never reaches the database, and readers fold the
stored events to get the same state back. The state and its value sets are ``domain.case_state``
(re-exported here); each event type is declared in ``domain.event_types``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from dnw_desk.domain.case_state import (
    CARD_LEVELS,
    DECISION_LABELS,
    OPEN_STATUSES,
    OPINION_LABELS,
    PENDING_FEEDBACK,
    RATING_CHANNEL_LABELS,
    RECTIFICATION_TRACK,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    WINDOW_TASK_LABELS,
    CaseState,
    Decision,
    Event,
    HeldReturn,
    OpinionKind,
    RatingChannel,
    RatingStage,
    Satisfaction,
    Status,
)
from dnw_desk.domain.errors import WorkflowError
from dnw_desk.domain.event_types import ANY_TIME_EVENTS, EVENT_LABELS, EventType
from dnw_desk.i18n import _

__all__ = [
    "CARD_LEVELS",
    "DEADLINE_HORIZON",
    "DECISION_LABELS",
    "EVENT_LABELS",
    "OPEN_STATUSES",
    "OPINION_LABELS",
    "PENDING_FEEDBACK",
    "RATING_CHANNEL_LABELS",
    "RECTIFICATION_TRACK",
    "SATISFACTION_LABELS",
    "STATUS_LABELS",
    "TRANSITIONS",
    "WINDOW_TASK_LABELS",
    "CaseState",
    "Decision",
    "Event",
    "EventType",
    "HeldReturn",
    "OpinionKind",
    "RatingChannel",
    "RatingStage",
    "Satisfaction",
    "Status",
    "apply_event",
    "apply_new_event",
    "deadline_problem",
    "fold",
]


def _refuse(event: Event, state: CaseState | None, why: str) -> WorkflowError:
    status = _(STATUS_LABELS[state.status]) if state else _("no case yet")
    return WorkflowError(
        _("Cannot record “{event}” while the case is “{status}”: {why}").format(
            event=_(EVENT_LABELS[event.type]), status=status, why=why
        )
    )


def _moment(raw: Any) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) else raw


def _deadline_of(event: Event) -> tuple[datetime | None, bool]:
    return _moment(event.data.get("deadline")), bool(event.data.get("deadline_provisional", False))


def _text(event: Event, key: str) -> str:
    value = event.data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _require_text(state: CaseState, event: Event, key: str, why: str) -> str:
    text = _text(event, key)
    if not text:
        raise _refuse(event, state, why)
    return text


def _decision(state: CaseState, event: Event) -> Decision:
    try:
        decision = Decision(str(event.data.get("decision")))
    except ValueError:
        raise _refuse(event, state, _("the decision is missing or unknown")) from None
    if decision is Decision.REJECTED:
        _require_text(state, event, "reason", _("a rejection needs a reason"))
    return decision


def apply_event(state: CaseState | None, event: Event) -> CaseState:
    """The state after ``event``; raises WorkflowError if the step is not allowed."""
    if event.type is EventType.REGISTERED:
        if state is not None:
            raise _refuse(event, state, _("a case is registered only once"))
        return _registered(event)
    if state is None:
        raise _refuse(event, state, _("the case must be registered first"))
    if event.at < state.registered_at:
        raise _refuse(event, state, _("the event is dated before the registration"))
    if event.type in ANY_TIME_EVENTS:
        if event.type is EventType.RECEIPT_PRINTED:
            return replace(state, receipt_copies=state.receipt_copies + 1)
        return state
    if state.status in (Status.CLOSED, Status.NOT_ACCEPTED) and not _rates_reception(event):
        raise _refuse(event, state, _("the case is finished"))
    handler = TRANSITIONS[event.type]
    return handler(state, event)


def apply_new_event(state: CaseState | None, event: Event) -> CaseState:
    """``apply_event`` for a step being recorded now, with the rules that came after the first
    release: they bind new steps, while a timeline recorded before them still folds."""
    if event.type is EventType.CALLBACK and state is not None and not state.callback_consent:
        raise _refuse(
            event, state, _("the complainant did not agree to be called back; record that instead")
        )
    return apply_event(state, event)


def _registered(event: Event) -> CaseState:
    complainant = event.data.get("complainant")
    matter = event.data.get("matter")
    consent = complainant.get("consent_callback", True) if isinstance(complainant, dict) else True
    co_units = matter.get("co_units", ()) if isinstance(matter, dict) else ()
    return CaseState(
        status=Status.REGISTERED,
        registered_at=event.at,
        callback_consent=bool(consent),
        co_units=tuple(str(unit) for unit in co_units or ()),
    )


def _not_accepted(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.REGISTERED:
        raise _refuse(event, state, _("only a case not yet referred can be refused"))
    return replace(state, status=Status.NOT_ACCEPTED, closed_at=event.at)


def _referred(state: CaseState, event: Event) -> CaseState:
    # Referring a returned case again accepts its return (timelines from before return review
    # have no review step).
    if state.status not in (Status.REGISTERED, Status.RETURNED):
        raise _refuse(event, state, _("the case is already with a unit"))
    unit = _require_text(state, event, "unit", _("a responsible unit is required"))
    deadline, provisional = _deadline_of(event)
    co_units = event.data.get("co_units")
    return replace(
        state,
        status=Status.REFERRED,
        lead_unit=unit,
        co_units=tuple(str(u) for u in co_units if u != unit)
        if isinstance(co_units, list)
        else tuple(u for u in state.co_units if u != unit),
        co_opinions=(),
        clock_started_at=event.at,
        deadline=deadline,
        deadline_provisional=provisional,
        accepted=False,
        held_return=None,
        extension_request=None,
        deadline_untold=False,
        cards=frozenset(),
    )


def _unit_accepted(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.REFERRED:
        raise _refuse(event, state, _("only a referred case can be accepted by the unit"))
    return replace(state, status=Status.ACCEPTED, accepted=True)


def _unit_returned(state: CaseState, event: Event) -> CaseState:
    if state.status not in (Status.REFERRED, Status.ACCEPTED):
        raise _refuse(event, state, _("only a case with a unit can be returned"))
    unit = str(event.data.get("unit") or state.lead_unit or "")
    late = state.deadline is not None and event.at > state.deadline
    return replace(
        state,
        status=Status.RETURNED,
        returns=(*state.returns, unit),
        late_returns=(*state.late_returns, unit) if late else state.late_returns,
        held_return=HeldReturn(
            unit,
            event.at,
            state.deadline,
            state.deadline_provisional,
            state.clock_started_at,
            state.accepted,
        ),
        lead_unit=None,
        clock_started_at=None,
        deadline=None,
        accepted=False,
        extension_request=None,
        deadline_untold=False,
    )


def _return_reviewed(state: CaseState, event: Event) -> CaseState:
    held = state.held_return
    if state.status is not Status.RETURNED or held is None or held.reviewed:
        raise _refuse(event, state, _("there is no return waiting for review"))
    if _decision(state, event) is Decision.ACCEPTED:
        return replace(state, held_return=replace(held, reviewed=True))
    # Rejected: the same unit again, with its original deadline (the clock did not stop).
    return replace(
        state,
        status=Status.ACCEPTED if held.accepted else Status.REFERRED,
        lead_unit=held.unit,
        clock_started_at=held.clock_started_at,
        deadline=held.deadline,
        deadline_provisional=held.deadline_provisional,
        accepted=held.accepted,
        held_return=None,
    )


def _opinion_given(state: CaseState, event: Event) -> CaseState:
    if state.status not in (Status.REFERRED, Status.ACCEPTED):
        raise _refuse(event, state, _("the case has no unit handling it"))
    return replace(state, status=Status.OPINION_GIVEN, opinion_at=event.at, extension_request=None)


def _co_unit_opinion(state: CaseState, event: Event) -> CaseState:
    if state.status not in PENDING_FEEDBACK:
        raise _refuse(event, state, _("co-units give their part while the case is with the unit"))
    unit = _text(event, "unit")
    if unit not in state.co_units:
        raise _refuse(event, state, _("“{unit}” is not a co-unit of this case").format(unit=unit))
    _require_text(state, event, "text", _("the co-unit's opinion is required"))
    co_opinions = state.co_opinions if unit in state.co_opinions else (*state.co_opinions, unit)
    return replace(state, co_opinions=co_opinions)


def _answer_rejected(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.OPINION_GIVEN:
        raise _refuse(event, state, _("only a handling opinion can be sent back"))
    _require_text(state, event, "reason", _("say why the answer is inadequate"))
    # 补办: the unit answers again; the deadline stays where it was.
    return replace(
        state,
        status=Status.ACCEPTED if state.accepted else Status.REFERRED,
        opinion_at=None,
        complainant_informed_at=None,
        window_informed_at=None,
        answer_rejections=state.answer_rejections + 1,
    )


def _informed(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.OPINION_GIVEN:
        raise _refuse(event, state, _("feedback is recorded after the handling opinion"))
    if event.type is EventType.COMPLAINANT_INFORMED:
        if state.complainant_informed_at is not None:
            raise _refuse(event, state, _("the complainant was already recorded as informed"))
        state = replace(state, complainant_informed_at=event.at)
    else:
        if state.window_informed_at is not None:
            raise _refuse(event, state, _("the window was already recorded as informed"))
        state = replace(state, window_informed_at=event.at)
    if state.fed_back_at is not None:
        state = replace(state, status=Status.FED_BACK)
    return state


def _later_deadline(state: CaseState, event: Event, deadline: datetime | None) -> datetime:
    if deadline is None:
        raise _refuse(event, state, _("a new deadline is required"))
    if state.deadline is not None and deadline <= state.deadline:
        raise _refuse(event, state, _("the new deadline must be later than the current one"))
    return deadline


def _extension_requested(state: CaseState, event: Event) -> CaseState:
    if state.status not in (Status.REFERRED, Status.ACCEPTED):
        raise _refuse(event, state, _("only the unit handling the case can ask for more time"))
    if state.extension_request is not None:
        raise _refuse(event, state, _("an extension request is already waiting for a decision"))
    _require_text(state, event, "reason", _("an extension request needs a reason"))
    deadline = _later_deadline(state, event, _deadline_of(event)[0])
    return replace(state, extension_request=deadline)


def _extension_decided(state: CaseState, event: Event) -> CaseState:
    if state.extension_request is None or state.status not in PENDING_FEEDBACK:
        raise _refuse(event, state, _("there is no extension request to decide"))
    if _decision(state, event) is Decision.REJECTED:
        return replace(state, extension_request=None)
    deadline, provisional = _deadline_of(event)
    deadline = _later_deadline(state, event, deadline or state.extension_request)
    return replace(
        state,
        deadline=deadline,
        deadline_provisional=provisional,
        extension_request=None,
        deadline_untold=True,
    )


def _extension_granted(state: CaseState, event: Event) -> CaseState:
    if state.status not in PENDING_FEEDBACK:
        raise _refuse(event, state, _("only a case awaiting feedback can be extended"))
    deadline, provisional = _deadline_of(event)
    deadline = _later_deadline(state, event, deadline)
    return replace(
        state,
        deadline=deadline,
        deadline_provisional=provisional,
        extension_request=None,
        deadline_untold=True,
    )


def _new_deadline_informed(state: CaseState, event: Event) -> CaseState:
    if not state.deadline_untold:
        raise _refuse(event, state, _("no new deadline is waiting to be told"))
    return replace(state, deadline_untold=False)


def _escalated(state: CaseState, event: Event) -> CaseState:
    if state.status not in (*PENDING_FEEDBACK, Status.RETURNED):
        raise _refuse(event, state, _("only a case awaiting feedback can be escalated"))
    return replace(state, escalated=True)


def _level_crossed(state: CaseState, event: Event) -> CaseState:
    level = _text(event, "level")
    if level not in CARD_LEVELS:
        raise _refuse(event, state, _("the alert level is missing or unknown"))
    if _text(event, "track") == RECTIFICATION_TRACK:
        # The rectification's own ladder, on its own deadline.
        if not state.rectification_running:
            raise _refuse(event, state, _("there is no rectification waiting for its report"))
        key = f"{RECTIFICATION_TRACK}:{level}"
        if key in state.cards:
            raise _refuse(event, state, _("this alert level is already recorded"))
        return replace(state, cards=state.cards | {key})
    if state.status not in PENDING_FEEDBACK:
        raise _refuse(event, state, _("alert levels are recorded while feedback is pending"))
    if level in state.cards:
        raise _refuse(event, state, _("this alert level is already recorded"))
    cards = state.cards | {level}
    return replace(state, cards=cards, escalated=state.escalated or level == "escalated")


def _callback(state: CaseState, event: Event) -> CaseState:
    again = state.status is Status.CALLED_BACK and (
        state.rectification_reported_at is not None and not state.rectification_called_back
    )
    if state.status is not Status.FED_BACK and not again:
        raise _refuse(event, state, _("a callback follows the feedback to both parties"))
    try:
        satisfaction = Satisfaction(str(event.data.get("satisfaction")))
    except ValueError:
        raise _refuse(event, state, _("the satisfaction level is missing or unknown")) from None
    state = replace(state, status=Status.CALLED_BACK, satisfaction=satisfaction)
    if again:
        # The callback after the rectification report ends the rectification.
        state = replace(state, rectification_called_back=True, rating_voided=False)
    return state


def _callback_skipped(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.FED_BACK:
        raise _refuse(event, state, _("a callback follows the feedback to both parties"))
    if state.callback_consent:
        raise _refuse(event, state, _("the complainant agreed to be called back"))
    return replace(state, callback_skipped=True)


def _rates_reception(event: Event) -> bool:
    """A rating of the window's reception: also for a matter the window did not accept."""
    return event.type is EventType.RATING and _text(event, "stage") == RatingStage.REGISTRATION


def _rating(state: CaseState, event: Event) -> CaseState:
    """The complainant's own rating (docs/rules.md#accountability): at registration it rates the
    window's reception, once; after the feedback it is the callback's rating, given by the
    complainant themself (so it needs no callback consent), with the same consequences."""
    try:
        stage = RatingStage(_text(event, "stage"))
        RatingChannel(_text(event, "channel"))
        satisfaction = Satisfaction(str(event.data.get("satisfaction")))
    except ValueError:
        raise _refuse(event, state, _("the rating's level, stage or channel is unknown")) from None
    if stage is RatingStage.FEEDBACK:
        return _callback(state, event)
    if state.window_rating is not None:
        raise _refuse(event, state, _("the reception was already rated"))
    return replace(state, window_rating=satisfaction)


def _bad_rating(state: CaseState) -> bool:
    return (
        state.status is Status.CALLED_BACK
        and state.satisfaction is not None
        and state.satisfaction.is_unsatisfied
        and not state.rating_voided
    )


def _rectification_opened(state: CaseState, event: Event) -> CaseState:
    if not _bad_rating(state) or state.rectification_open:
        raise _refuse(event, state, _("a rectification follows a bad rating"))
    deadline = _deadline_of(event)[0]
    if deadline is None:
        raise _refuse(event, state, _("a new deadline is required"))
    unit = _text(event, "unit") or state.lead_unit or ""
    return replace(
        state,
        rectification_unit=unit,
        rectification_opened_at=event.at,
        cards=frozenset(c for c in state.cards if not c.startswith(RECTIFICATION_TRACK)),
        rectification_deadline=deadline,
        rectification_reported_at=None,
        rectification_called_back=False,
    )


def _rectification_reported(state: CaseState, event: Event) -> CaseState:
    if not state.rectification_open or state.rectification_reported_at is not None:
        raise _refuse(event, state, _("there is no rectification waiting for its report"))
    _require_text(state, event, "text", _("the rectification report is required"))
    return replace(state, rectification_reported_at=event.at)


def _rating_appealed(state: CaseState, event: Event) -> CaseState:
    if not _bad_rating(state) or state.appeal_pending:
        raise _refuse(event, state, _("only a bad rating can be appealed, once at a time"))
    _require_text(state, event, "reason", _("an appeal needs a reason"))
    return replace(state, appeal_pending=True)


def _appeal_decided(state: CaseState, event: Event) -> CaseState:
    if not state.appeal_pending:
        raise _refuse(event, state, _("there is no appeal to decide"))
    if _decision(state, event) is Decision.REJECTED:
        return replace(state, appeal_pending=False)
    # Upheld: the rating does not count against the unit and its rectification ends.
    return replace(
        state,
        appeal_pending=False,
        rating_voided=True,
        rectification_unit=None,
        rectification_deadline=None,
        rectification_reported_at=None,
    )


def _redo(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.CALLED_BACK or not (
        state.satisfaction and state.satisfaction.is_unsatisfied
    ):
        raise _refuse(event, state, _("only an unsatisfied callback reopens the case"))
    deadline, provisional = _deadline_of(event)
    # 重办: the same unit starts again with a new clock; earlier feedback no longer counts. The
    # redo takes the place of the bad rating's rectification (its new feedback and callback).
    return replace(
        state,
        status=Status.REFERRED,
        clock_started_at=event.at,
        deadline=deadline,
        deadline_provisional=provisional,
        opinion_at=None,
        complainant_informed_at=None,
        window_informed_at=None,
        satisfaction=None,
        escalated=False,
        redo_count=state.redo_count + 1,
        cards=frozenset(),
        co_opinions=(),
        rectification_unit=None,
        rectification_deadline=None,
        rectification_reported_at=None,
        appeal_pending=False,
    )


def _deadline_recomputed(state: CaseState, event: Event) -> CaseState:
    if state.deadline is None or state.clock_started_at is None:
        raise _refuse(event, state, _("the case has no running deadline"))
    deadline, provisional = _deadline_of(event)
    if deadline is None:
        raise _refuse(event, state, _("a new deadline is required"))
    # on_time follows from the new deadline: a unit judged late by a provisional calendar is on
    # time if the official one gives it longer.
    return replace(state, deadline=deadline, deadline_provisional=provisional)


def _closed(state: CaseState, event: Event) -> CaseState:
    if state.status not in (Status.FED_BACK, Status.CALLED_BACK):
        raise _refuse(event, state, _("a case is closed after the feedback"))
    if state.rectification_open or state.appeal_pending:
        raise _refuse(event, state, _("its rectification or appeal is not finished"))
    return replace(state, status=Status.CLOSED, closed_at=event.at)


Transition = Callable[[CaseState, Event], CaseState]

# Every event type that is not bookkeeping (``any_time`` in the event table) has one.
TRANSITIONS: dict[EventType, Transition] = {
    EventType.NOT_ACCEPTED: _not_accepted,
    EventType.REFERRED: _referred,
    EventType.UNIT_ACCEPTED: _unit_accepted,
    EventType.UNIT_RETURNED: _unit_returned,
    EventType.RETURN_REVIEWED: _return_reviewed,
    EventType.OPINION_GIVEN: _opinion_given,
    EventType.CO_UNIT_OPINION: _co_unit_opinion,
    EventType.ANSWER_REJECTED: _answer_rejected,
    EventType.COMPLAINANT_INFORMED: _informed,
    EventType.WINDOW_INFORMED: _informed,
    EventType.EXTENSION_REQUESTED: _extension_requested,
    EventType.EXTENSION_DECIDED: _extension_decided,
    EventType.EXTENSION_GRANTED: _extension_granted,
    EventType.NEW_DEADLINE_INFORMED: _new_deadline_informed,
    EventType.ESCALATED: _escalated,
    EventType.LEVEL_CROSSED: _level_crossed,
    EventType.CALLBACK: _callback,
    EventType.CALLBACK_SKIPPED: _callback_skipped,
    EventType.RATING: _rating,
    EventType.RECTIFICATION_OPENED: _rectification_opened,
    EventType.RECTIFICATION_REPORTED: _rectification_reported,
    EventType.RATING_APPEALED: _rating_appealed,
    EventType.APPEAL_DECIDED: _appeal_decided,
    EventType.REDO: _redo,
    EventType.CLOSED: _closed,
    EventType.DEADLINE_RECOMPUTED: _deadline_recomputed,
}


# The furthest a set deadline may lie after the step that sets it: a deadline beyond is not a
# working day of any calendar the hall uses (the working-day search gives up at 60 working days).
DEADLINE_HORIZON = timedelta(days=120)
_SETS_DEADLINE = frozenset(
    {
        EventType.REFERRED,
        EventType.REDO,
        EventType.EXTENSION_REQUESTED,
        EventType.EXTENSION_DECIDED,
        EventType.EXTENSION_GRANTED,
        EventType.RECTIFICATION_OPENED,
    }
)


def deadline_problem(event: Event) -> str | None:
    """Why the deadline a step sets lies outside the calendar (None when it does not, or the
    step sets none). The server refuses such a step before it reaches the fold."""
    if event.type not in _SETS_DEADLINE:
        return None
    try:
        deadline = _moment(event.data.get("deadline"))
    except (TypeError, ValueError):
        return "the deadline is not an ISO 8601 time"
    if deadline is None:
        return None
    if deadline.tzinfo is None:
        return "the deadline has no time zone"
    if deadline <= event.at:
        return "the deadline is not after the step that sets it"
    if deadline - event.at > DEADLINE_HORIZON:
        return f"the deadline is more than {DEADLINE_HORIZON.days} days after the step"
    return None


def fold(events: Iterable[Event]) -> CaseState:
    """Replay a timeline; raises WorkflowError if it contains an illegal step."""
    state: CaseState | None = None
    for event in events:
        state = apply_event(state, event)
    if state is None:
        raise WorkflowError(_("A case needs at least its registration event."))
    return state
