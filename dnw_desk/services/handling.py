"""Every handling step (docs/rules.md#lifecycle) as a form: its fields, their validation, the
recorded event.

The case detail screen builds its dialogs from ``ACTION_FORMS`` (declared in
``services.action_forms``, re-exported here) and calls ``HandlingService``;
the workflow itself (which step may follow which) stays in ``domain.case``. Validation messages
are per field (``FieldErrors``) so the dialog can show them beside the inputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from dnw_desk.clock import Clock, system_clock, to_hall_time
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import (
    STATUS_LABELS,
    CaseState,
    Decision,
    Event,
    EventType,
    RatingStage,
    Satisfaction,
    apply_new_event,
    fold,
)
from dnw_desk.domain.errors import DomainError, FieldErrors, WorkflowError
from dnw_desk.domain.event_types import EVENT_SPECS, ON_BEHALF_EVENTS
from dnw_desk.domain.masking import mask_complainant_name, mask_id_number, mask_phone
from dnw_desk.domain.phone import display_phone
from dnw_desk.domain.registration import split_units
from dnw_desk.domain.roles import ROLE_LABELS, Actor, Permission, may
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_, _
from dnw_desk.services.action_forms import ACTION_FORMS as ACTION_FORMS
from dnw_desk.services.action_forms import ACTION_TITLES as ACTION_TITLES
from dnw_desk.services.action_forms import CHANNEL_LABELS as CHANNEL_LABELS
from dnw_desk.services.action_forms import HANDLING_ACTIONS as HANDLING_ACTIONS
from dnw_desk.services.action_forms import NOTE_MAX as NOTE_MAX
from dnw_desk.services.action_forms import REASON_MIN as REASON_MIN
from dnw_desk.services.action_forms import FieldKind as FieldKind
from dnw_desk.services.action_forms import FieldSpec as FieldSpec
from dnw_desk.services.action_forms import InformChannel as InformChannel
from dnw_desk.services.action_forms import permission_for as permission_for
from dnw_desk.services.case_details import (
    Detail,
    complainant_details,
    registration_details,
    registration_of,
)
from dnw_desk.services.cases import CaseService, Saved, require
from dnw_desk.services.people import actor_label
from dnw_desk.services.queue import Countdown, countdown_of
from dnw_desk.store import accounts as accounts_repo
from dnw_desk.store import cases_repo
from dnw_desk.store.cases_repo import CaseRow

if TYPE_CHECKING:
    from dnw_desk.services.desk import Desk


class MaskedField(StrEnum):
    NAME = "complainant_name"
    PHONE = "phone"
    ID_NUMBER = "id_number"


# Whoever handles a case must call the complainant back: the phone is revealed to anyone who may
# handle cases; the name and the ID number only to those who may unmask.
_REVEAL_PERMISSION = {MaskedField.PHONE: Permission.HANDLE}


def reveal_permission(field: MaskedField) -> Permission:
    return _REVEAL_PERMISSION.get(field, Permission.UNMASK)


MASKED_FIELD_LABELS = {
    MaskedField.NAME: N_("Complainant"),
    MaskedField.PHONE: N_("Phone"),
    MaskedField.ID_NUMBER: N_("ID number"),
}


def _parse_moment(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        return to_hall_time(raw)
    if isinstance(raw, str) and raw.strip():
        try:
            return to_hall_time(datetime.fromisoformat(raw.strip()))
        except ValueError:
            return None
    return None


# Steps whose form says when they happened (the event's moment, not the saving's).
_TIMED_STEPS = (
    EventType.COMPLAINANT_INFORMED,
    EventType.WINDOW_INFORMED,
    EventType.CALLBACK,
    EventType.NEW_DEADLINE_INFORMED,
)
# Of those, the ones dated after the handling opinion.
_AFTER_OPINION = (EventType.COMPLAINANT_INFORMED, EventType.WINDOW_INFORMED, EventType.CALLBACK)
_DEADLINE_STEPS = (
    EventType.EXTENSION_GRANTED,
    EventType.EXTENSION_REQUESTED,
    EventType.EXTENSION_DECIDED,
)
# Decisions whose rejection needs a reason.
_DECISIONS = (EventType.RETURN_REVIEWED, EventType.EXTENSION_DECIDED, EventType.APPEAL_DECIDED)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


EXTENSION_CHOICES = 10  # working days offered for a new deadline


def extension_choices(
    state: CaseState, now: datetime, working_time: WorkingTime
) -> list[tuple[datetime, timedelta]]:
    """The deadlines an extension may set — the next working days' closing times after the
    current deadline — each with the working time it adds."""
    current = max(state.deadline or now, now)
    return [
        (closing, working_time.between(current, closing))
        for closing in working_time.closing_times_after(current, EXTENSION_CHOICES)
    ]


def _check_extension(
    deadline: datetime, state: CaseState, now: datetime, working_time: WorkingTime | None
) -> str | None:
    if deadline <= now:
        return _("The new deadline must be in the future.")
    if state.deadline is not None and deadline <= state.deadline:
        return _("The new deadline must be later than the current one ({old}).").format(
            old=f"{state.deadline:%Y-%m-%d %H:%M}"
        )
    if working_time is not None and not working_time.is_closing_time(deadline):
        return _(
            "The new deadline must be a working day's closing time ({closing}); {day} is not one."
        ).format(
            closing=working_time.hours.closing.strftime("%H:%M"),
            day=f"{deadline:%Y-%m-%d %H:%M}",
        )
    return None


def validate_action(
    event_type: EventType,
    values: Mapping[str, Any],
    state: CaseState,
    now: datetime,
    units: Sequence[str] = (),
    working_time: WorkingTime | None = None,
) -> tuple[dict[str, Any], datetime | None]:
    """Check the form of one step; returns the event data and the moment it happened
    (for "informed at"). Raises ``FieldErrors`` naming each wrong field.

    Moments are entered and shown to the minute, so they are compared to the minute: an
    "informed at" in the opinion's own minute is accepted and recorded as the opinion's moment
    (the timeline stays in order). ``working_time``: a new deadline must be a working day's
    closing time."""
    errors: dict[str, str] = {}
    data = _field_values(event_type, values, units, errors)
    at: datetime | None = None
    if event_type in _TIMED_STEPS and "at" in data:
        moment = data.pop("at")
        assert isinstance(moment, datetime)
        at = _informed_at(event_type, moment, state, now, errors)
    _decision_rules(event_type, data, state, now, working_time, errors)
    _unit_rules(event_type, data, state, units, errors)
    if errors:
        raise FieldErrors(errors)
    return data, at


def _field_values(
    event_type: EventType, values: Mapping[str, Any], units: Sequence[str], errors: dict[str, str]
) -> dict[str, Any]:
    """Each form field parsed; a missing or wrong one goes to ``errors`` instead."""
    data: dict[str, Any] = {}
    for spec in ACTION_FORMS[event_type]:
        raw = values.get(spec.name)
        text = raw.strip() if isinstance(raw, str) else raw
        if text in (None, ""):
            if spec.required and spec.kind in ("choice", "unit"):
                errors[spec.name] = _("Choose “{field}”.").format(field=_(spec.label))
            elif spec.required:
                errors[spec.name] = _("Fill in “{field}”.").format(field=_(spec.label))
            continue
        if spec.kind == "datetime":
            moment = _parse_moment(text)
            if moment is None:
                errors[spec.name] = _("“{field}” is not a date and time.").format(
                    field=_(spec.label)
                )
                continue
            text = moment
        elif spec.kind == "choice" and str(text) not in {value for value, _l in spec.choices}:
            errors[spec.name] = _("Choose a value for “{field}”.").format(field=_(spec.label))
            continue
        elif spec.kind == "unit" and units and text not in units:
            errors[spec.name] = _("“{unit}” is not in the hall's unit list.").format(unit=text)
            continue
        elif isinstance(text, str) and len(text) > NOTE_MAX:
            errors[spec.name] = _("“{field}” is too long (at most {count} characters).").format(
                field=_(spec.label), count=NOTE_MAX
            )
            continue
        data[spec.name] = text
    return data


def _informed_at(
    event_type: EventType, at: datetime, state: CaseState, now: datetime, errors: dict[str, str]
) -> datetime:
    """The moment a party was informed, compared to the minute with now and the opinion."""
    opinion_at = state.opinion_at if event_type in _AFTER_OPINION else None
    if _minute(at) > _minute(now):
        errors["at"] = _("The moment cannot be in the future.")
    elif opinion_at is not None and _minute(at) < _minute(opinion_at):
        errors["at"] = (
            _("The callback comes after the handling opinion was given.")
            if event_type is EventType.CALLBACK
            else _("The parties are informed after the handling opinion was given.")
        )
    elif opinion_at is not None:
        at = max(at, opinion_at)
    return min(at, now)


def _decision_rules(
    event_type: EventType,
    data: dict[str, Any],
    state: CaseState,
    now: datetime,
    working_time: WorkingTime | None,
    errors: dict[str, str],
) -> None:
    """A rejection needs its reason; an extension's deadline is checked and recorded."""
    rejected = data.get("decision") == Decision.REJECTED.value
    if event_type in _DECISIONS and rejected and not data.get("reason"):
        errors["reason"] = _("Give the reason for the rejection.")
    if event_type is EventType.EXTENSION_DECIDED and rejected:
        data.pop("deadline", None)
    elif event_type is EventType.EXTENSION_DECIDED and "deadline" not in data:
        if state.extension_request is None:
            errors["deadline"] = _("Choose the approved deadline.")
        else:
            data["deadline"] = state.extension_request
    if event_type in _DEADLINE_STEPS and "deadline" in data:
        deadline = data["deadline"]
        problem = _check_extension(deadline, state, now, working_time)
        if problem is not None:
            errors["deadline"] = problem
        data["deadline"] = deadline.isoformat()
        data["deadline_provisional"] = False


def _unit_rules(
    event_type: EventType,
    data: dict[str, Any],
    state: CaseState,
    units: Sequence[str],
    errors: dict[str, str],
) -> None:
    """Co-units from the hall's list, a co-unit's opinion from one of the case's, and the unit
    a step recorded on a unit's behalf names."""
    if event_type is EventType.REFERRED and "co_units" in data:
        co_units = [u for u in split_units(str(data["co_units"])) if u != data.get("unit")]
        unknown = [u for u in co_units if units and u not in units]
        if unknown:
            errors["co_units"] = _("“{unit}” is not in the hall's unit list.").format(
                unit=unknown[0]
            )
        data["co_units"] = co_units
    if event_type is EventType.CO_UNIT_OPINION and data.get("unit") not in state.co_units:
        errors["unit"] = _("Choose one of the case's co-units ({units}).").format(
            units="、".join(state.co_units) or "—"
        )
    if event_type is EventType.CALLBACK_SKIPPED:
        data["reason"] = "no_consent"
    if event_type in ON_BEHALF_EVENTS and event_type is not EventType.CO_UNIT_OPINION:
        data.setdefault("unit", state.lead_unit or "")


_FAR = "9999-12-31T00:00:00+08:00"
_PROBE_DATA: dict[EventType, dict[str, Any]] = {
    EventType.REFERRED: {"unit": "?"},
    EventType.RETURN_REVIEWED: {"decision": Decision.ACCEPTED.value},
    EventType.ANSWER_REJECTED: {"reason": "?"},
    EventType.EXTENSION_REQUESTED: {"deadline": _FAR, "reason": "?"},
    EventType.EXTENSION_DECIDED: {"decision": Decision.REJECTED.value, "reason": "?"},
    EventType.EXTENSION_GRANTED: {"deadline": _FAR},
    EventType.CALLBACK: {"satisfaction": Satisfaction.SATISFIED.value},
    EventType.RECTIFICATION_REPORTED: {"text": "?"},
    EventType.RATING_APPEALED: {"reason": "?"},
    EventType.APPEAL_DECIDED: {"decision": Decision.REJECTED.value, "reason": "?"},
}


def _probe_data(event_type: EventType, state: CaseState) -> dict[str, Any]:
    if event_type is EventType.CO_UNIT_OPINION:
        return {"unit": state.co_units[0] if state.co_units else "", "text": "?"}
    return _PROBE_DATA.get(event_type, {})


@dataclass(frozen=True)
class Availability:
    """Whether a handling step is possible now, and if not, why (translated, for a tooltip)."""

    possible: bool
    why_not: str = ""


def action_availability(state: CaseState, actor: Actor | None) -> dict[EventType, Availability]:
    """Each handling step → whether it is possible now, and why not. The role comes first (the
    event table's permission), then the workflow (a dry run of ``apply_event``), so this never
    disagrees with what saving would say."""
    result: dict[EventType, Availability] = {}
    probe_at = max(state.registered_at, state.clock_started_at or state.registered_at)
    for event_type in HANDLING_ACTIONS:
        if actor is None or not may(actor.role, permission_for(event_type)):
            result[event_type] = Availability(False, _role_refusal(event_type))
            continue
        probe = Event(
            "probe", "probe", event_type, probe_at, "probe", _probe_data(event_type, state)
        )
        try:
            apply_new_event(state, probe)
        except WorkflowError:
            status = _(STATUS_LABELS[state.status])
            why = _("Not possible while the case is “{status}”.").format(status=status)
            result[event_type] = Availability(False, why)
        else:
            result[event_type] = Availability(True)
    return result


def _role_refusal(event_type: EventType) -> str:
    spec = EVENT_SPECS[event_type]
    if spec.permission is Permission.HANDLE:
        return _("Your role may not handle cases.")
    roles = "、".join(_(ROLE_LABELS[role]) for role in sorted(spec.desk_roles))
    return _("Only these roles may record this step: {roles}.").format(roles=roles)


def possible_actions(state: CaseState, actor: Actor | None) -> dict[EventType, bool]:
    """Each handling step → whether the case's status allows it now. Steps the actor's role
    may not take are reported as not possible."""
    return {kind: found.possible for kind, found in action_availability(state, actor).items()}


def case_countdown(
    view: CaseView,
    now: datetime,
    working_time: WorkingTime,
    level_of: Callable[[datetime | None, datetime | None, bool, datetime], AlertLevel],
) -> Countdown | None:
    """The countdown of the case on the detail screen; None when no clock runs for it."""
    return countdown_of(_ViewClock(view), now, working_time, level_of)


@dataclass(frozen=True)
class _ViewClock:
    """A ``CaseView`` as ``countdown_of`` reads a case (its clock comes from the fold)."""

    view: CaseView

    @property
    def status(self) -> str:
        return self.view.status

    @property
    def referred_at(self) -> datetime | None:
        return self.view.state.clock_started_at

    @property
    def deadline(self) -> datetime | None:
        return self.view.deadline

    @property
    def escalated(self) -> bool:
        return self.view.state.escalated


def returns_by_unit(state: CaseState) -> Counter[str]:
    """How often each unit sent this case back (a buck-passing signal)."""
    return Counter(unit for unit in state.returns if unit)


@dataclass(frozen=True)
class CaseView:
    """What the case detail shows: the cached row's facts with personal data masked, the
    timeline and its fold. The full values come only through ``reveal``."""

    id: str
    number: str
    registered_at: datetime
    clerk_no: str
    category: str
    service_item: str
    unit: str | None
    status: str
    deadline: datetime | None
    deadline_provisional: bool
    complainant_kind: str
    masked: dict[MaskedField, str]
    events: tuple[Event, ...]
    state: CaseState
    details: tuple[Detail, ...] = ()  # the matter's other facts (case_details)
    actors: Mapping[str, str] = field(default_factory=dict)  # event actor → who, in words
    complainant: tuple[Detail, ...] = ()  # an enterprise's credit code and contact


def _masked_values(row: CaseRow) -> dict[MaskedField, str]:
    name = row.complainant_name or ""
    values = {
        MaskedField.NAME: mask_complainant_name(row.complainant_kind, name),
        MaskedField.PHONE: mask_phone(row.phone) if row.phone else "",
    }
    if row.id_number:
        values[MaskedField.ID_NUMBER] = mask_id_number(row.id_number)
    return values


def _details(events: Sequence[Event]) -> tuple[Detail, ...]:
    registration = registration_of(events)
    return registration_details(registration) if registration is not None else ()


def _complainant(events: Sequence[Event]) -> tuple[Detail, ...]:
    registration = registration_of(events)
    return complainant_details(registration) if registration is not None else ()


@dataclass(frozen=True)
class Revealed:
    field: MaskedField
    value: str
    event_id: str


class HandlingService:
    """The case detail's use cases: one handling step, and showing a masked field."""

    def __init__(
        self,
        cases: CaseService,
        units: Sequence[str],
        clock: Clock = system_clock,
        working_time: WorkingTime | None = None,
        rectification_days: int = 5,
    ):
        self.cases = cases
        self.units = tuple(units)
        self.clock = clock
        self.working_time = working_time
        self.rectification_days = rectification_days

    def view(self, case_id: str) -> CaseView:
        with self.cases.db.read() as conn:
            row = cases_repo.get_case(conn, case_id)
            events = cases_repo.load_events(conn, case_id)
            people = accounts_repo.people(conn)
        if row is None or not events:
            raise DomainError(_("No case with this id."))
        return CaseView(
            row.id,
            row.number,
            row.registered_at,
            row.clerk_no,
            row.category,
            row.service_item,
            row.lead_unit,
            row.status,
            row.deadline,
            row.deadline_provisional,
            row.complainant_kind,
            _masked_values(row),
            tuple(events),
            fold(events),
            _details(events),
            {event.actor: actor_label(event.actor, people) for event in events},
            _complainant(events),
        )

    def perform(
        self, case_id: str, event_type: EventType, actor: Actor, values: Mapping[str, Any]
    ) -> Saved:
        require(actor, permission_for(event_type))
        events = self.cases.events(case_id)
        if not events:
            raise DomainError(_("No case with this id."))
        state = fold(events)
        now = self.clock()
        data, at = self.plan(state, event_type, actor, values, now)
        return self.cases.record(
            case_id, event_type, actor, data, at=at, then=self.follow_ups(event_type, data, now)
        )

    def follow_ups(
        self, event_type: EventType, data: Mapping[str, Any], now: datetime
    ) -> list[tuple[EventType, dict[str, Any]]]:
        """Steps the desk records by itself right after this one: a bad rating (差评) opens
        its rectification (整改) with a deadline ``rectification_days`` working days later."""
        if event_type is EventType.RATING:
            if data.get("stage") != RatingStage.FEEDBACK.value:
                return []  # a rating of the window's reception opens no rectification
        elif event_type is not EventType.CALLBACK:
            return []
        try:
            bad = Satisfaction(str(data.get("satisfaction"))).is_unsatisfied
        except ValueError:
            return []
        if not bad:
            return []
        return [(EventType.RECTIFICATION_OPENED, self.rectification_data(now))]

    def rectification_data(self, now: datetime) -> dict[str, Any]:
        if self.working_time is None:
            deadline = now + timedelta(days=self.rectification_days)
        else:
            # Counted from the next day, as the feedback deadline is (Civil Code art. 201).
            days = self.rectification_days
            closings = self.working_time.closing_times_after(now, days + 1)
            deadline = [c for c in closings if c.date() > now.date()][:days][-1]
        return {"deadline": deadline.isoformat(), "days": self.rectification_days}

    def plan(
        self,
        state: CaseState,
        event_type: EventType,
        actor: Actor,
        values: Mapping[str, Any],
        now: datetime,
    ) -> tuple[dict[str, Any], datetime | None]:
        """The event data and moment ``perform`` records for these form values at ``now``
        (no I/O; demo data carries its cases along with it too)."""
        require(actor, permission_for(event_type))
        data, at = validate_action(event_type, values, state, now, self.units, self.working_time)
        if event_type is EventType.EXTENSION_GRANTED:
            data["approved_by"] = actor.audit_name
        if event_type in _DECISIONS:
            data["decided_by"] = actor.audit_name
        if event_type is EventType.CALLBACK and not data.get("by"):
            data["by"] = actor.audit_name
        if event_type in ON_BEHALF_EVENTS:
            # A unit's step that the window records (the unit phoned in): marked so.
            data["recorded_by_window"] = True
        return data, at

    def reprint_of(self, case_id: str) -> tuple[CaseRow, int]:
        """The case as its receipt prints it, and the copy number a reprint (补打) gets: one
        more than the receipts printed so far."""
        with self.cases.db.read() as conn:
            row = cases_repo.get_case(conn, case_id)
            events = cases_repo.load_events(conn, case_id)
        if row is None:
            raise DomainError(_("No case with this id."))
        printed = sum(1 for event in events if event.type is EventType.RECEIPT_PRINTED)
        return row, printed + 1

    def reveal(self, case_id: str, field: MaskedField, reason: str, actor: Actor) -> Revealed:
        """The full value of a masked field: needs the role and a reason; the viewing is a
        ``pii_viewed`` event on the timeline (and so in the audit log, without the value).
        A phone comes as it is dialled (national format), never as the stored E.164."""
        require(actor, reveal_permission(field))
        reason = reason.strip()
        if len(reason) < REASON_MIN:
            raise FieldErrors({"reason": _("Give the reason for showing the full value.")})
        saved = self.cases.record(
            case_id, EventType.PII_VIEWED, actor, {"field": field.value, "reason": reason}
        )
        value = str(getattr(saved.case, field.value) or "")
        if field is MaskedField.PHONE and value:
            value = display_phone(value)
        return Revealed(field, value, saved.event_ids[0])


def handling_for(desk: Desk) -> HandlingService:
    return HandlingService(
        desk.cases,
        desk.settings.units,
        desk.clock,
        desk.deadlines.working_time,
        desk.settings.rectification_days,
    )
