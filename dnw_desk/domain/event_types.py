"""Every event type of a case timeline, declared once.

``EVENT_SPECS`` says for each type: its label, which desk permission records it by hand (and so
which roles), whether it has a handling form on the case detail, whether a unit (or the
provincial platform) may post it through the server's feedback API, whether the window may record
it on a unit's behalf (marked so in its data), whether citizens see it on the public status page
(an allow-list: a type not marked public is never shown), whether the desk records it by itself,
and what it does to the case (the fold itself is ``domain.case.apply_event``). Its wire type is
its value. The UI, the handling forms, the timeline, the status page, the server's authorisation
and the tests read this table; ``tests/domain/test_event_types.py`` fails when a type is missing
anywhere that must handle it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dnw_desk.domain.roles import Permission, Role, may
from dnw_desk.i18n import N_


class EventType(StrEnum):
    REGISTERED = "registered"
    NOT_ACCEPTED = "not_accepted"
    REFERRED = "referred"
    UNIT_ACCEPTED = "unit_accepted"
    UNIT_RETURNED = "unit_returned"
    RETURN_REVIEWED = "return_reviewed"
    OPINION_GIVEN = "opinion_given"
    CO_UNIT_OPINION = "co_unit_opinion"
    ANSWER_REJECTED = "answer_rejected"
    COMPLAINANT_INFORMED = "complainant_informed"
    WINDOW_INFORMED = "window_informed"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    EXTENSION_GRANTED = "extension_granted"
    NEW_DEADLINE_INFORMED = "new_deadline_informed"
    ESCALATED = "escalated"
    LEVEL_CROSSED = "level_crossed"
    CALLBACK = "callback"
    CALLBACK_SKIPPED = "callback_skipped"
    RECTIFICATION_OPENED = "rectification_opened"
    RECTIFICATION_REPORTED = "rectification_reported"
    RATING_APPEALED = "rating_appealed"
    APPEAL_DECIDED = "appeal_decided"
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
    # The complainant's own five-level rating (好差评), given on the screen facing them (评价器)
    # or on the status page (线上评价). Data: satisfaction, stage, channel, reason (optional).
    RATING = "rating"
    # A text message to the complainant left the desk (sms_sent) or could not (sms_failed).
    # Data: message_id, template, attempt, reason (failed) — never the phone number or text.
    SMS_SENT = "sms_sent"
    SMS_FAILED = "sms_failed"


@dataclass(frozen=True)
class EventSpec:
    type: EventType
    label: str  # msgid
    changes: str  # what the step does to the case, in a few words (for readers of this table)
    permission: Permission | None = Permission.HANDLE  # to record it at the desk; None: never
    form: bool = True  # a handling form on the case detail (services.handling.ACTION_FORMS)
    unit_may_post: bool = False  # a unit or the platform may post it (feedback API)
    on_behalf: bool = False  # the window may record it for a unit that phoned in
    public: bool = False  # citizens see it on the status page
    automatic: bool = False  # the desk records it by itself (no one chooses to)
    any_time: bool = False  # bookkeeping: allowed in any status, changes no workflow state

    @property
    def wire_type(self) -> str:
        return self.type.value

    @property
    def desk_roles(self) -> frozenset[Role]:
        if self.permission is None:
            return frozenset()
        return frozenset(role for role in Role if may(role, self.permission))


def _spec(type_: EventType, label: str, changes: str, **options: Any) -> EventSpec:
    return EventSpec(type_, label, changes, **options)


_UNIT_STEP: dict[str, Any] = {"unit_may_post": True, "on_behalf": True}

EVENT_SPECS: dict[EventType, EventSpec] = {
    spec.type: spec
    for spec in (
        _spec(
            EventType.REGISTERED,
            N_("Registered"),
            "starts the case",
            permission=Permission.REGISTER,
            form=False,
            public=True,
        ),
        _spec(
            EventType.NOT_ACCEPTED,
            N_("Not accepted"),
            "finishes a case outside the window's scope",
            permission=Permission.REGISTER,
            form=False,
            public=True,
        ),
        _spec(
            EventType.REFERRED,
            N_("Referred to unit"),
            "names the lead unit and co-units; starts the feedback clock",
            public=True,
        ),
        _spec(
            EventType.UNIT_ACCEPTED,
            N_("Unit accepted"),
            "the unit signed for the case",
            public=True,
            **_UNIT_STEP,
        ),
        _spec(
            EventType.UNIT_RETURNED,
            N_("Unit returned the case"),
            "back to the window for review; counts against the unit (late if past the deadline)",
            public=True,
            **_UNIT_STEP,
        ),
        _spec(
            EventType.RETURN_REVIEWED,
            N_("Return reviewed"),
            "accepted: refer again with a new clock; rejected: back to the unit, original deadline",
        ),
        _spec(
            EventType.OPINION_GIVEN,
            N_("Handling opinion given"),
            "the lead unit's handling opinion",
            public=True,
            **_UNIT_STEP,
        ),
        _spec(
            EventType.CO_UNIT_OPINION,
            N_("Co-unit's opinion"),
            "a co-unit gives its part within the same clock",
            **_UNIT_STEP,
        ),
        _spec(
            EventType.ANSWER_REJECTED,
            N_("Answer sent back as inadequate"),
            "补办: back to the unit, the clock keeps running",
            public=True,
        ),
        _spec(
            EventType.COMPLAINANT_INFORMED,
            N_("Complainant informed"),
            "the complainant was told the result",
            public=True,
            **_UNIT_STEP,
        ),
        _spec(
            EventType.WINDOW_INFORMED,
            N_("Window informed"),
            "the window was told the result",
            public=True,
            **_UNIT_STEP,
        ),
        _spec(
            EventType.EXTENSION_REQUESTED,
            N_("Extension requested"),
            "the unit asks for a later deadline, with a reason; a shift lead decides",
            **_UNIT_STEP,
        ),
        _spec(
            EventType.EXTENSION_DECIDED,
            N_("Extension request decided"),
            "approved (possibly another date) sets the deadline; the complainant must be told",
            permission=Permission.GRANT_EXTENSION,
            public=True,
        ),
        _spec(
            EventType.EXTENSION_GRANTED,
            N_("Extension granted"),
            "a shift lead extends on their own initiative; the complainant must be told",
            permission=Permission.GRANT_EXTENSION,
            public=True,
        ),
        _spec(
            EventType.NEW_DEADLINE_INFORMED,
            N_("Complainant told the new deadline"),
            "ends the reminder that follows an extension",
            public=True,
        ),
        _spec(
            EventType.ESCALATED,
            N_("Escalated"),
            "督办 by hand",
            public=True,
        ),
        _spec(
            EventType.LEVEL_CROSSED,
            N_("Alert level reached"),
            "a card (reminder, yellow, red, 督办) recorded once per clock; 督办 escalates",
            permission=None,
            form=False,
            automatic=True,
        ),
        _spec(
            EventType.CALLBACK,
            N_("Callback"),
            "the complainant's rating (好差评); needs their consent",
            public=True,
        ),
        _spec(
            EventType.CALLBACK_SKIPPED,
            N_("No callback: no consent"),
            "recorded instead of a callback the complainant did not agree to",
        ),
        _spec(
            EventType.RECTIFICATION_OPENED,
            N_("Rectification opened"),
            "a bad rating (差评) opens 整改 with its own deadline",
            permission=None,
            form=False,
            automatic=True,
        ),
        _spec(
            EventType.RECTIFICATION_REPORTED,
            N_("Rectification reported"),
            "the unit's rectification report; a new callback follows",
            **_UNIT_STEP,
        ),
        _spec(
            EventType.RATING_APPEALED,
            N_("Rating appealed"),
            "the unit appeals (申诉) against a bad rating; a shift lead decides",
            **_UNIT_STEP,
        ),
        _spec(
            EventType.APPEAL_DECIDED,
            N_("Appeal decided"),
            "upheld: the bad rating no longer counts and its rectification ends",
            permission=Permission.DECIDE_APPEAL,
        ),
        _spec(
            EventType.REDO,
            N_("Reopened for redo"),
            "an unsatisfied callback reopens the case with a new clock",
            public=True,
        ),
        _spec(EventType.CLOSED, N_("Closed"), "办结", public=True),
        _spec(
            EventType.NOTE,
            N_("Note"),
            "nothing",
            unit_may_post=True,
            any_time=True,
        ),
        _spec(
            EventType.RECEIPT_PRINTED,
            N_("Receipt printed"),
            "counts the receipt copies",
            form=False,
            any_time=True,
        ),
        _spec(
            EventType.PII_VIEWED,
            N_("Personal data viewed"),
            "nothing (audit)",
            form=False,
            any_time=True,
        ),
        _spec(
            EventType.DEADLINE_RECOMPUTED,
            N_("Deadline recomputed after a calendar change"),
            "the deadline again from the same referral moment",
            permission=None,
            form=False,
            automatic=True,
        ),
        _spec(
            EventType.ATTACHMENT_ADDED,
            N_("Attachment added"),
            "nothing (the file is listed with the case)",
            form=False,  # the case detail's attachment list adds it, not a handling form
            any_time=True,
        ),
        _spec(
            EventType.RATING,
            N_("Rating by the complainant"),
            "at registration: the window's service; after the feedback: takes the callback's"
            " place (a 差评 opens 整改)",
            permission=Permission.REGISTER,
            form=False,  # the screen facing the citizen records it, or the status page
        ),
        _spec(
            EventType.SMS_SENT,
            N_("Text message sent"),
            "nothing (the message left through the gateway)",
            permission=None,
            form=False,
            automatic=True,
            any_time=True,
        ),
        _spec(
            EventType.SMS_FAILED,
            N_("Text message failed"),
            "nothing (a failed try; it is retried)",
            permission=None,
            form=False,
            automatic=True,
            any_time=True,
        ),
    )
}

EVENT_LABELS: dict[EventType, str] = {kind: spec.label for kind, spec in EVENT_SPECS.items()}
PUBLIC_EVENTS = frozenset(kind for kind, spec in EVENT_SPECS.items() if spec.public)
UNIT_POSTABLE = frozenset(kind for kind, spec in EVENT_SPECS.items() if spec.unit_may_post)
ON_BEHALF_EVENTS = frozenset(kind for kind, spec in EVENT_SPECS.items() if spec.on_behalf)
FORM_EVENTS = tuple(kind for kind, spec in EVENT_SPECS.items() if spec.form)
ANY_TIME_EVENTS = frozenset(kind for kind, spec in EVENT_SPECS.items() if spec.any_time)
WIRE_TYPES = frozenset(spec.wire_type for spec in EVENT_SPECS.values())


def spec_of(kind: EventType) -> EventSpec:
    return EVENT_SPECS[kind]


def known_wire_type(value: str) -> EventType | None:
    """The event type a wire value names, or None for a type this version does not know."""
    try:
        return EventType(value)
    except ValueError:
        return None
