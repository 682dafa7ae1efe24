"""One case as the portal shows it to a unit liaison: the facts, masked personal data, the
evidence, the timeline and the steps the unit may record now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.alerts import AlertLevel, PendingCase, level_at
from dnw_desk.domain.attachments import AttachmentInfo
from dnw_desk.domain.case import (
    OPINION_LABELS,
    PENDING_FEEDBACK,
    CaseState,
    Event,
    EventType,
    Status,
    fold,
)
from dnw_desk.domain.event_types import EVENT_LABELS
from dnw_desk.domain.masking import mask_complainant_name, mask_phone
from dnw_desk.i18n import N_
from dnw_desk.server.halls import name_of
from dnw_desk.server.ops import timelines_of
from dnw_desk.server.portal.queue import unit_condition, working_time
from dnw_desk.server.tables import cases, portal_audit
from dnw_desk.server.units import Unit
from dnw_desk.services.people import actor_label


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    label: str
    by: str


@dataclass
class CaseFile:
    id: str
    number: str
    hall: str
    hall_name: str
    category: str
    service_item: str
    state: CaseState
    complainant: str  # masked
    phone_masked: str
    description: str
    request: str
    left: timedelta | None
    level: AlertLevel | None
    attachments: list[AttachmentInfo] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    phone: str = ""  # in full: shown only after a reason is given and audited

    @property
    def name(self) -> str:
        return self.number


def unit_case(conn: Connection, unit: Unit, number: str, now: datetime) -> CaseFile | None:
    """The case if it is this unit's (None otherwise: the portal answers 404 either way, so a
    unit cannot learn which numbers exist elsewhere)."""
    row = conn.execute(
        select(cases).where(cases.c.number == number[:32], unit_condition(unit))
    ).first()
    if row is None:
        return None
    events = timelines_of(conn, [row.id]).get(row.id, [])
    return _file(conn, row, events, now)


def _file(conn: Connection, row: Any, events: list[Event], now: datetime) -> CaseFile:
    state = fold(events)
    registration = events[0].data if events else {}
    complainant = registration.get("complainant") or {}
    matter = registration.get("matter") or {}
    phone = str(complainant.get("phone") or "")
    left, level = _countdown(state, now)
    return CaseFile(
        id=row.id,
        number=row.number,
        hall=row.hall,
        hall_name=name_of(conn, row.hall) or row.hall,
        category=row.category,
        service_item=row.service_item,
        state=state,
        complainant=mask_complainant_name(
            str(complainant.get("kind") or "person"), str(complainant.get("name") or "")
        ),
        phone_masked=mask_phone(phone) if phone else "",
        description=str(matter.get("description") or ""),
        request=str(matter.get("request") or ""),
        left=left,
        level=level,
        attachments=[
            info
            for event in events
            if event.type is EventType.ATTACHMENT_ADDED
            and (info := AttachmentInfo.from_data(event.data)) is not None
        ],
        timeline=[TimelineItem(event.at, EVENT_LABELS[event.type], _by(event)) for event in events],
        phone=phone,
    )


def _by(event: Event) -> str:
    # Desk steps name the clerk by role and login; units' steps "unit/person".
    return actor_label(event.actor)


def _countdown(state: CaseState, now: datetime) -> tuple[timedelta | None, AlertLevel | None]:
    if state.status not in PENDING_FEEDBACK or state.deadline is None:
        return None, None
    clock = working_time()
    deadline = state.deadline
    left = clock.left(now, deadline) if now <= deadline else -clock.between(deadline, now)
    level = None
    if state.clock_started_at is not None:
        level = level_at(PendingCase("", state.clock_started_at, deadline), now, clock)
    return left, level


def record_reveal(
    conn: Connection, person_id: int, number: str, reason: str, now: datetime
) -> None:
    conn.execute(
        insert(portal_audit).values(
            at=now, person_id=person_id, action="phone_revealed", case_number=number, reason=reason
        )
    )


# --- the steps a unit records here ------------------------------------------------------------


TEXT_MAX = 2000  # a step's text, in characters (the forms' maxlength)


@dataclass(frozen=True)
class StepField:
    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    multiline: bool = False
    input_type: str = "text"
    default: str = ""


@dataclass(frozen=True)
class StepForm:
    kind: str
    title: str
    button: str
    fields: tuple[StepField, ...] = ()


CHANNELS = (
    ("phone", N_("Phone")),
    ("sms", N_("Text message")),
    ("in_person", N_("In person")),
    ("letter", N_("Letter")),
)
_OPINION = StepField(
    "kind", N_("Kind of answer"), tuple((k.value, label) for k, label in OPINION_LABELS.items())
)
_TEXT = StepField("text", N_("Opinion"), multiline=True)
_REASON = StepField("reason", N_("Reason"), multiline=True)


def step_forms(state: CaseState, unit: Unit, now: datetime) -> list[StepForm]:
    """The forms offered on this case now; the rules decide again when one is posted."""
    forms = _lead_forms(state, now) if state.lead_unit == unit.name else []
    if unit.name in state.co_units and unit.name not in state.co_opinions:
        forms.append(
            StepForm(
                EventType.CO_UNIT_OPINION.value, N_("Give the co-unit's part"), N_("Save"), (_TEXT,)
            )
        )
    if state.rectification_unit == unit.name and state.rectification_reported_at is None:
        report = StepField("text", N_("Rectification report"), multiline=True)
        forms.append(
            StepForm(
                EventType.RECTIFICATION_REPORTED.value,
                N_("Report the rectification"),
                N_("Save"),
                (report,),
            )
        )
    return forms


def _minute(moment: datetime) -> str:
    """A datetime-local field's value, in hall time."""
    return moment.astimezone(HALL_TZ).strftime("%Y-%m-%dT%H:%M")


def _lead_forms(state: CaseState, now: datetime) -> list[StepForm]:
    forms: list[StepForm] = []
    waiting = state.status in (Status.REFERRED, Status.ACCEPTED)
    if state.status is Status.REFERRED:
        forms.append(StepForm(EventType.UNIT_ACCEPTED.value, N_("Sign for the case"), N_("Sign")))
    if waiting:
        forms.append(
            StepForm(
                EventType.UNIT_RETURNED.value,
                N_("Return the case to the window"),
                N_("Return"),
                (_REASON,),
            )
        )
        forms.append(
            StepForm(
                EventType.OPINION_GIVEN.value,
                N_("Give the handling opinion"),
                N_("Save"),
                (_OPINION, _TEXT),
            )
        )
    if state.status in PENDING_FEEDBACK and state.extension_request is None:
        proposal = (state.deadline or now) + timedelta(days=1)
        deadline = StepField(
            "deadline",
            N_("Proposed deadline"),
            input_type="datetime-local",
            default=_minute(proposal),
        )
        forms.append(
            StepForm(
                EventType.EXTENSION_REQUESTED.value,
                N_("Request an extension"),
                N_("Send the request"),
                (deadline, _REASON),
            )
        )
    if state.opinion_at is not None and state.complainant_informed_at is None:
        when = StepField(
            "informed_at", N_("When"), input_type="datetime-local", default=_minute(now)
        )
        forms.append(
            StepForm(
                EventType.COMPLAINANT_INFORMED.value,
                N_("Record that the complainant was informed"),
                N_("Save"),
                (StepField("channel", N_("How"), CHANNELS), when),
            )
        )
    return forms
