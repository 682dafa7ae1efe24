"""A case is an append-only timeline of events; its status is a fold over them
(docs/rules.md#lifecycle).

``apply_event`` is the single place that knows which step may follow which. Services call it
before they write an event, so an illegal step never reaches the database, and readers fold the
stored events to get the same state back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from dnw_desk.domain.errors import WorkflowError
from dnw_desk.i18n import N_, _


class EventType(StrEnum):
    REGISTERED = "registered"
    NOT_ACCEPTED = "not_accepted"
    REFERRED = "referred"
    UNIT_ACCEPTED = "unit_accepted"
    UNIT_RETURNED = "unit_returned"
    OPINION_GIVEN = "opinion_given"
    COMPLAINANT_INFORMED = "complainant_informed"
    WINDOW_INFORMED = "window_informed"
    EXTENSION_GRANTED = "extension_granted"
    ESCALATED = "escalated"
    CALLBACK = "callback"
    REDO = "redo"
    CLOSED = "closed"
    NOTE = "note"
    RECEIPT_PRINTED = "receipt_printed"
    PII_VIEWED = "pii_viewed"
    # The calendar changed (an override was imported): the deadline is computed again from the
    # same referral moment. Data: deadline, deadline_provisional, calendar_version, rule, previous.
    DEADLINE_RECOMPUTED = "deadline_recomputed"
    # Proof attached to the case; data: sha256, filename, size, media_type (the bytes travel
    # apart, by hash).
    ATTACHMENT_ADDED = "attachment_added"


class Status(StrEnum):
    REGISTERED = "registered"
    NOT_ACCEPTED = "not_accepted"
    REFERRED = "referred"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    OPINION_GIVEN = "opinion_given"
    FED_BACK = "fed_back"
    CALLED_BACK = "called_back"
    CLOSED = "closed"


STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: N_("Registered"),
    Status.NOT_ACCEPTED: N_("Not accepted"),
    Status.REFERRED: N_("Referred"),
    Status.ACCEPTED: N_("Accepted by unit"),
    Status.RETURNED: N_("Returned by unit"),
    Status.OPINION_GIVEN: N_("Opinion given"),
    Status.FED_BACK: N_("Fed back"),
    Status.CALLED_BACK: N_("Called back"),
    Status.CLOSED: N_("Closed"),
}

EVENT_LABELS: dict[EventType, str] = {
    EventType.REGISTERED: N_("Registered"),
    EventType.NOT_ACCEPTED: N_("Not accepted"),
    EventType.REFERRED: N_("Referred to unit"),
    EventType.UNIT_ACCEPTED: N_("Unit accepted"),
    EventType.UNIT_RETURNED: N_("Unit returned the case"),
    EventType.OPINION_GIVEN: N_("Handling opinion given"),
    EventType.COMPLAINANT_INFORMED: N_("Complainant informed"),
    EventType.WINDOW_INFORMED: N_("Window informed"),
    EventType.EXTENSION_GRANTED: N_("Extension granted"),
    EventType.ESCALATED: N_("Escalated"),
    EventType.CALLBACK: N_("Callback"),
    EventType.REDO: N_("Reopened for redo"),
    EventType.CLOSED: N_("Closed"),
    EventType.NOTE: N_("Note"),
    EventType.RECEIPT_PRINTED: N_("Receipt printed"),
    EventType.PII_VIEWED: N_("Personal data viewed"),
    EventType.DEADLINE_RECOMPUTED: N_("Deadline recomputed after a calendar change"),
    EventType.ATTACHMENT_ADDED: N_("Attachment added"),
}

# Statuses in which the unit still owes its feedback: the countdown runs.
PENDING_FEEDBACK = frozenset({Status.REFERRED, Status.ACCEPTED, Status.OPINION_GIVEN})
OPEN_STATUSES = frozenset(set(Status) - {Status.NOT_ACCEPTED, Status.CLOSED})
# Events that may be added whatever the status (they change nothing in the workflow).
ANY_TIME_EVENTS = frozenset(
    {EventType.NOTE, EventType.RECEIPT_PRINTED, EventType.PII_VIEWED, EventType.ATTACHMENT_ADDED}
)


class Satisfaction(StrEnum):
    """The national five-level scale used for callbacks (回访)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    UNSATISFIED = "unsatisfied"
    VERY_UNSATISFIED = "very_unsatisfied"

    @property
    def is_unsatisfied(self) -> bool:
        return self in (Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED)


SATISFACTION_LABELS: dict[Satisfaction, str] = {
    Satisfaction.VERY_SATISFIED: N_("Very satisfied"),
    Satisfaction.SATISFIED: N_("Satisfied"),
    Satisfaction.NEUTRAL: N_("Neutral"),
    Satisfaction.UNSATISFIED: N_("Unsatisfied"),
    Satisfaction.VERY_UNSATISFIED: N_("Very unsatisfied"),
}


class OpinionKind(StrEnum):
    RESOLVED_ON_SPOT = "resolved_on_spot"
    HANDLED = "handled"
    MISSING_MATERIALS_NOTICE = "missing_materials_notice"
    CANNOT_HANDLE = "cannot_handle"
    OTHER = "other"


OPINION_LABELS: dict[OpinionKind, str] = {
    OpinionKind.RESOLVED_ON_SPOT: N_("Resolved on the spot"),
    OpinionKind.HANDLED: N_("Handled"),
    OpinionKind.MISSING_MATERIALS_NOTICE: N_("One-time notice of missing materials"),
    OpinionKind.CANNOT_HANDLE: N_("Cannot be handled"),
    OpinionKind.OTHER: N_("Other"),
}


@dataclass(frozen=True)
class Event:
    event_id: str
    case_id: str
    type: EventType
    at: datetime
    actor: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseState:
    """What the timeline says about a case at its last event."""

    status: Status
    registered_at: datetime
    lead_unit: str | None = None
    clock_started_at: datetime | None = None
    deadline: datetime | None = None
    deadline_provisional: bool = False
    accepted: bool = False
    opinion_at: datetime | None = None
    complainant_informed_at: datetime | None = None
    window_informed_at: datetime | None = None
    escalated: bool = False
    satisfaction: Satisfaction | None = None
    returns: tuple[str, ...] = ()
    redo_count: int = 0
    closed_at: datetime | None = None
    receipt_copies: int = 0

    @property
    def fed_back_at(self) -> datetime | None:
        """When the last of opinion and both "informed" events was recorded."""
        parts = (self.opinion_at, self.complainant_informed_at, self.window_informed_at)
        if any(part is None for part in parts):
            return None
        return max(part for part in parts if part is not None)

    @property
    def on_time(self) -> bool | None:
        """Feedback on time: all three recorded at or before the deadline. None while pending."""
        fed_back = self.fed_back_at
        if fed_back is None or self.deadline is None:
            return None
        return fed_back <= self.deadline

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaiting_feedback(self) -> bool:
        return self.status in PENDING_FEEDBACK


def _refuse(event: Event, state: CaseState | None, why: str) -> WorkflowError:
    status = _(STATUS_LABELS[state.status]) if state else _("no case yet")
    return WorkflowError(
        _("Cannot record “{event}” while the case is “{status}”: {why}").format(
            event=_(EVENT_LABELS[event.type]), status=status, why=why
        )
    )


def _deadline_of(event: Event) -> tuple[datetime | None, bool]:
    raw = event.data.get("deadline")
    deadline = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    return deadline, bool(event.data.get("deadline_provisional", False))


def apply_event(state: CaseState | None, event: Event) -> CaseState:
    """The state after ``event``; raises WorkflowError if the step is not allowed."""
    if event.type is EventType.REGISTERED:
        if state is not None:
            raise _refuse(event, state, _("a case is registered only once"))
        return CaseState(status=Status.REGISTERED, registered_at=event.at)
    if state is None:
        raise _refuse(event, state, _("the case must be registered first"))
    if event.at < state.registered_at:
        raise _refuse(event, state, _("the event is dated before the registration"))
    if event.type in ANY_TIME_EVENTS:
        if event.type is EventType.RECEIPT_PRINTED:
            return replace(state, receipt_copies=state.receipt_copies + 1)
        return state
    if state.status in (Status.CLOSED, Status.NOT_ACCEPTED):
        raise _refuse(event, state, _("the case is finished"))
    handler = _TRANSITIONS[event.type]
    return handler(state, event)


def _not_accepted(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.REGISTERED:
        raise _refuse(event, state, _("only a case not yet referred can be refused"))
    return replace(state, status=Status.NOT_ACCEPTED, closed_at=event.at)


def _referred(state: CaseState, event: Event) -> CaseState:
    if state.status not in (Status.REGISTERED, Status.RETURNED):
        raise _refuse(event, state, _("the case is already with a unit"))
    unit = str(event.data.get("unit") or "").strip()
    if not unit:
        raise _refuse(event, state, _("a responsible unit is required"))
    deadline, provisional = _deadline_of(event)
    return replace(
        state,
        status=Status.REFERRED,
        lead_unit=unit,
        clock_started_at=event.at,
        deadline=deadline,
        deadline_provisional=provisional,
        accepted=False,
    )


def _unit_accepted(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.REFERRED:
        raise _refuse(event, state, _("only a referred case can be accepted by the unit"))
    return replace(state, status=Status.ACCEPTED, accepted=True)


def _unit_returned(state: CaseState, event: Event) -> CaseState:
    if state.status not in (Status.REFERRED, Status.ACCEPTED):
        raise _refuse(event, state, _("only a case with a unit can be returned"))
    unit = str(event.data.get("unit") or state.lead_unit or "")
    return replace(
        state,
        status=Status.RETURNED,
        returns=(*state.returns, unit),
        lead_unit=None,
        clock_started_at=None,
        deadline=None,
        accepted=False,
    )


def _opinion_given(state: CaseState, event: Event) -> CaseState:
    if state.status not in (Status.REFERRED, Status.ACCEPTED):
        raise _refuse(event, state, _("the case has no unit handling it"))
    return replace(state, status=Status.OPINION_GIVEN, opinion_at=event.at)


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


def _extension_granted(state: CaseState, event: Event) -> CaseState:
    if state.status not in PENDING_FEEDBACK:
        raise _refuse(event, state, _("only a case awaiting feedback can be extended"))
    deadline, provisional = _deadline_of(event)
    if deadline is None:
        raise _refuse(event, state, _("a new deadline is required"))
    if state.deadline is not None and deadline <= state.deadline:
        raise _refuse(event, state, _("the new deadline must be later than the current one"))
    return replace(state, deadline=deadline, deadline_provisional=provisional)


def _escalated(state: CaseState, event: Event) -> CaseState:
    if state.status not in (*PENDING_FEEDBACK, Status.RETURNED):
        raise _refuse(event, state, _("only a case awaiting feedback can be escalated"))
    return replace(state, escalated=True)


def _callback(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.FED_BACK:
        raise _refuse(event, state, _("a callback follows the feedback to both parties"))
    try:
        satisfaction = Satisfaction(str(event.data.get("satisfaction")))
    except ValueError:
        raise _refuse(event, state, _("the satisfaction level is missing or unknown")) from None
    return replace(state, status=Status.CALLED_BACK, satisfaction=satisfaction)


def _redo(state: CaseState, event: Event) -> CaseState:
    if state.status is not Status.CALLED_BACK or not (
        state.satisfaction and state.satisfaction.is_unsatisfied
    ):
        raise _refuse(event, state, _("only an unsatisfied callback reopens the case"))
    deadline, provisional = _deadline_of(event)
    # 重办: the same unit starts again with a new clock; earlier feedback no longer counts.
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
    return replace(state, status=Status.CLOSED, closed_at=event.at)


_TRANSITIONS = {
    EventType.NOT_ACCEPTED: _not_accepted,
    EventType.REFERRED: _referred,
    EventType.UNIT_ACCEPTED: _unit_accepted,
    EventType.UNIT_RETURNED: _unit_returned,
    EventType.OPINION_GIVEN: _opinion_given,
    EventType.COMPLAINANT_INFORMED: _informed,
    EventType.WINDOW_INFORMED: _informed,
    EventType.EXTENSION_GRANTED: _extension_granted,
    EventType.ESCALATED: _escalated,
    EventType.CALLBACK: _callback,
    EventType.REDO: _redo,
    EventType.CLOSED: _closed,
    EventType.DEADLINE_RECOMPUTED: _deadline_recomputed,
}


def fold(events: Iterable[Event]) -> CaseState:
    """Replay a timeline; raises WorkflowError if it contains an illegal step."""
    state: CaseState | None = None
    for event in events:
        state = apply_event(state, event)
    if state is None:
        raise WorkflowError(_("A case needs at least its registration event."))
    return state
