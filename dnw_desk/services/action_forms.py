"""The form of each handling step on the case detail: its fields (what the dialog asks), its
button title, and the permission it needs — the steps and permissions come from the event table
(domain.event_types); ``tests/test_event_types.py`` checks both agree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from dnw_desk.domain.case import DECISION_LABELS, OPINION_LABELS, SATISFACTION_LABELS, EventType
from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.event_types import EVENT_SPECS, FORM_EVENTS
from dnw_desk.domain.roles import Permission
from dnw_desk.i18n import N_, _

FieldKind = Literal["text", "multiline", "choice", "datetime", "unit"]
NOTE_MAX = 2000
REASON_MIN = 2


class InformChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    IN_PERSON = "in_person"
    LETTER = "letter"
    ONLINE = "online"
    OTHER = "other"


CHANNEL_LABELS = {
    InformChannel.PHONE: N_("Phone call"),
    InformChannel.SMS: N_("Text message"),
    InformChannel.IN_PERSON: N_("In person"),
    InformChannel.LETTER: N_("Letter"),
    InformChannel.ONLINE: N_("Online platform"),
    InformChannel.OTHER: N_("Other"),
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # msgid
    kind: FieldKind = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label msgid)
    # Marked "(optional)" on the form when not required; off for a field whose label already
    # says when it is required (a reason needed only to reject).
    optional_hint: bool = True


def _choices(labels: Mapping[Any, str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), label) for value, label in labels.items())


_DECISION = FieldSpec("decision", N_("Decision"), "choice", choices=_choices(DECISION_LABELS))
_WHY = FieldSpec(
    "reason", N_("Reason (required to reject)"), "multiline", required=False, optional_hint=False
)

# The fields of each step that has a form (``form`` in the event table; a test checks both
# agree). Steps with no form are recorded by the desk itself or by their own screens.
ACTION_FORMS: dict[EventType, tuple[FieldSpec, ...]] = {
    EventType.REFERRED: (
        FieldSpec("unit", N_("Responsible unit"), "unit"),
        FieldSpec(
            "co_units",
            N_("Co-units (separated by commas; optional)"),
            required=False,
            optional_hint=False,  # the caption says it already
        ),
        FieldSpec("note", N_("Note"), "multiline", required=False),
    ),
    EventType.UNIT_ACCEPTED: (FieldSpec("by", N_("Accepted by (unit staff)")),),
    EventType.UNIT_RETURNED: (FieldSpec("reason", N_("Reason for the return"), "multiline"),),
    EventType.RETURN_REVIEWED: (_DECISION, _WHY),
    EventType.OPINION_GIVEN: (
        FieldSpec("kind", N_("Kind of opinion"), "choice", choices=_choices(OPINION_LABELS)),
        FieldSpec("text", N_("Handling opinion"), "multiline"),
    ),
    EventType.CO_UNIT_OPINION: (
        FieldSpec("unit", N_("Co-unit"), "unit"),
        FieldSpec("text", N_("The co-unit's opinion"), "multiline"),
    ),
    EventType.ANSWER_REJECTED: (
        FieldSpec("reason", N_("Why the answer is inadequate"), "multiline"),
    ),
    EventType.COMPLAINANT_INFORMED: (
        FieldSpec("channel", N_("Told by way of"), "choice", choices=_choices(CHANNEL_LABELS)),
        FieldSpec("at", N_("Informed at"), "datetime"),
        FieldSpec("by", N_("Informed by")),
        FieldSpec("note", N_("Note"), "multiline", required=False),
    ),
    EventType.WINDOW_INFORMED: (
        FieldSpec("at", N_("Informed at"), "datetime"),
        FieldSpec("by", N_("Unit contact")),
    ),
    EventType.EXTENSION_REQUESTED: (
        FieldSpec("deadline", N_("Proposed deadline"), "datetime"),
        FieldSpec("reason", N_("Reason for the extension"), "multiline"),
    ),
    EventType.EXTENSION_DECIDED: (
        _DECISION,
        FieldSpec("deadline", N_("Approved deadline"), "datetime", required=False),
        _WHY,
    ),
    EventType.EXTENSION_GRANTED: (
        FieldSpec("deadline", N_("New deadline"), "datetime"),
        FieldSpec("reason", N_("Reason for the extension"), "multiline"),
    ),
    EventType.NEW_DEADLINE_INFORMED: (
        FieldSpec("channel", N_("Told by way of"), "choice", choices=_choices(CHANNEL_LABELS)),
        FieldSpec("at", N_("Informed at"), "datetime"),
        FieldSpec("by", N_("Informed by")),
    ),
    EventType.ESCALATED: (
        FieldSpec("to", N_("Escalated to")),
        FieldSpec("note", N_("Note"), "multiline", required=False),
    ),
    EventType.CALLBACK: (
        FieldSpec("at", N_("Called back at"), "datetime"),
        FieldSpec("channel", N_("Reached by way of"), "choice", choices=_choices(CHANNEL_LABELS)),
        FieldSpec("by", N_("Called by"), required=False),
        FieldSpec(
            "satisfaction", N_("Satisfaction"), "choice", choices=_choices(SATISFACTION_LABELS)
        ),
        FieldSpec("comment", N_("Comment"), "multiline", required=False),
    ),
    EventType.CALLBACK_SKIPPED: (FieldSpec("note", N_("Note"), "multiline", required=False),),
    EventType.RECTIFICATION_REPORTED: (FieldSpec("text", N_("Rectification report"), "multiline"),),
    EventType.RATING_APPEALED: (FieldSpec("reason", N_("Grounds of the appeal"), "multiline"),),
    EventType.APPEAL_DECIDED: (_DECISION, _WHY),
    EventType.REDO: (FieldSpec("reason", N_("Reason for the redo"), "multiline"),),
    EventType.CLOSED: (FieldSpec("note", N_("Note"), "multiline", required=False),),
    EventType.NOTE: (FieldSpec("text", N_("Note"), "multiline"),),
}

# The order of the buttons on the case detail screen: the event table's order.
HANDLING_ACTIONS: tuple[EventType, ...] = FORM_EVENTS

ACTION_TITLES: dict[EventType, str] = {
    EventType.REFERRED: N_("Refer to a unit"),
    EventType.UNIT_ACCEPTED: N_("Unit accepted"),
    EventType.UNIT_RETURNED: N_("Unit returned it"),
    EventType.RETURN_REVIEWED: N_("Review the return"),
    EventType.OPINION_GIVEN: N_("Record the opinion"),
    EventType.CO_UNIT_OPINION: N_("Co-unit's opinion"),
    EventType.ANSWER_REJECTED: N_("Send the answer back"),
    EventType.COMPLAINANT_INFORMED: N_("Complainant informed"),
    EventType.WINDOW_INFORMED: N_("Window informed"),
    EventType.EXTENSION_REQUESTED: N_("Unit asks for more time"),
    EventType.EXTENSION_DECIDED: N_("Decide the extension request"),
    EventType.EXTENSION_GRANTED: N_("Grant an extension"),
    EventType.NEW_DEADLINE_INFORMED: N_("New deadline told"),
    EventType.ESCALATED: N_("Escalate"),
    EventType.CALLBACK: N_("Record the callback"),
    EventType.CALLBACK_SKIPPED: N_("No callback: no consent"),
    EventType.RECTIFICATION_REPORTED: N_("Rectification report"),
    EventType.RATING_APPEALED: N_("Unit appeals the rating"),
    EventType.APPEAL_DECIDED: N_("Decide the appeal"),
    EventType.REDO: N_("Reopen for redo"),
    EventType.CLOSED: N_("Close the case"),
    EventType.NOTE: N_("Add a note"),
}


def permission_for(event_type: EventType) -> Permission:
    """The permission the event table names for recording this step at the desk."""
    permission = EVENT_SPECS[event_type].permission
    if permission is None:
        raise DomainError(_("This step is recorded by the desk itself."))
    return permission
