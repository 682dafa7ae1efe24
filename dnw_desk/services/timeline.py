"""A case's timeline as people read it: each step's label, who took it and what it recorded.

The registration event's data holds the complainant's personal data: it is never summarised
(the case header shows it masked), only the later steps' own fields are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.attachments import AttachmentInfo, describe
from dnw_desk.domain.case import (
    DECISION_LABELS,
    OPINION_LABELS,
    RATING_CHANNEL_LABELS,
    SATISFACTION_LABELS,
    Decision,
    Event,
    EventType,
    OpinionKind,
    RatingChannel,
    Satisfaction,
)
from dnw_desk.domain.event_types import EVENT_LABELS
from dnw_desk.domain.sms import SMS_KIND_LABELS, SmsKind
from dnw_desk.i18n import N_, _
from dnw_desk.services.handling import (
    CHANNEL_LABELS,
    MASKED_FIELD_LABELS,
    InformChannel,
    MaskedField,
)
from dnw_desk.services.people import actor_label

# Fields of event data that are shown, in this order, with their labels.
_SHOWN = (
    ("decision", N_("Decision")),
    ("level", N_("Level")),
    ("unit", N_("Unit")),
    ("kind", N_("Kind")),
    ("text", N_("Text")),
    # How a step reached someone (phone, SMS, the rating device), not the intake's channel.
    ("channel", N_("By way of")),
    ("by", N_("By")),
    ("to", N_("To")),
    ("deadline", N_("Deadline")),
    ("reason", N_("Reason")),
    ("satisfaction", N_("Satisfaction")),
    ("template", N_("Message")),
    ("comment", N_("Comment")),
    ("note", N_("Note")),
    ("field", N_("Field")),
    ("copy", N_("Copy")),
)


def _value(key: str, value: Any) -> str:
    try:
        if key == "kind":
            return _(OPINION_LABELS[OpinionKind(value)])
        if key == "channel" and value in tuple(RatingChannel):
            return _(RATING_CHANNEL_LABELS[RatingChannel(value)])
        if key == "channel":
            return _(CHANNEL_LABELS[InformChannel(value)])
        if key == "template":
            return _(SMS_KIND_LABELS[SmsKind(value)])
        if key == "satisfaction":
            return _(SATISFACTION_LABELS[Satisfaction(value)])
        if key == "decision":
            return _(DECISION_LABELS[Decision(value)])
        if key == "level":
            return _(AlertLevel[str(value).upper()].label)
        if key == "field":
            return _(MASKED_FIELD_LABELS[MaskedField(value)])
    except (ValueError, KeyError):
        return str(value)
    if key == "deadline" and isinstance(value, str):
        try:
            return f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M}"
        except ValueError:
            return value
    return str(value)


def _person(by: str, actors: Mapping[str, str] | None) -> str:
    """A name as typed stays as it is; an account key (``clerk:login``) is said in words."""
    return (actors or {}).get(by) or actor_label(by)


def summarise(event: Event, actors: Mapping[str, str] | None = None) -> str:
    """One line of what the step recorded — never the registration's personal data. ``actors``
    names accounts in words (``CaseView.actors``): a callback without a named caller records
    the clerk's account (``clerk:login``), shown as who that is."""
    data: Mapping[str, Any] = event.data
    if event.type is EventType.ATTACHMENT_ADDED:
        info = AttachmentInfo.from_data(event.data)
        return describe(info) if info is not None else ""
    if event.type is EventType.REGISTERED:
        # The number is in the header; the rest of this event's data is personal.
        return _("Clerk no. {clerk}").format(clerk=data.get("clerk_no", ""))
    parts = [
        _("{title}: {value}").format(
            title=_(title),
            value=_person(str(data[key]), actors) if key == "by" else _value(key, data[key]),
        )
        for key, title in _SHOWN
        if data.get(key) not in (None, "")
    ]
    if data.get("recorded_by_window"):
        parts.append(_("recorded by the window for the unit"))
    # The separator is translated too: Chinese text takes full-width punctuation.
    return _("; ").join(parts)


def step_label(event: Event) -> str:
    return _(EVENT_LABELS.get(event.type, event.type.value))
