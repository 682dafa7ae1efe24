"""The case timeline as a small table model (time, step, by whom, what was recorded).

The registration event's data holds the complainant's personal data: it is never shown here
(the detail header shows it masked), only the steps' own fields are summarised.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dnw_desk.domain.case import (
    EVENT_LABELS,
    OPINION_LABELS,
    SATISFACTION_LABELS,
    Event,
    EventType,
    OpinionKind,
    Satisfaction,
)
from dnw_desk.i18n import N_, _
from dnw_desk.services.handling import (
    CHANNEL_LABELS,
    MASKED_FIELD_LABELS,
    InformChannel,
    MaskedField,
)
from dnw_desk.ui.rows_model import RowsModel

TIMELINE_COLUMNS = (N_("Time"), N_("Step"), N_("By"), N_("Details"))
# Fields of event data that are shown, in this order, with their labels.
_SHOWN = (
    ("unit", N_("Unit")),
    ("kind", N_("Kind")),
    ("text", N_("Text")),
    ("channel", N_("Channel")),
    ("by", N_("By")),
    ("to", N_("To")),
    ("deadline", N_("Deadline")),
    ("reason", N_("Reason")),
    ("satisfaction", N_("Satisfaction")),
    ("comment", N_("Comment")),
    ("note", N_("Note")),
    ("field", N_("Field")),
    ("copy", N_("Copy")),
)


def _value(key: str, value: Any) -> str:
    try:
        if key == "kind":
            return _(OPINION_LABELS[OpinionKind(value)])
        if key == "channel":
            return _(CHANNEL_LABELS[InformChannel(value)])
        if key == "satisfaction":
            return _(SATISFACTION_LABELS[Satisfaction(value)])
        if key == "field":
            return _(MASKED_FIELD_LABELS[MaskedField(value)])
    except ValueError:
        return str(value)
    if key == "deadline" and isinstance(value, str):
        try:
            return f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M}"
        except ValueError:
            return value
    return str(value)


def summarise(event: Event) -> str:
    """One line of what the step recorded — never the registration's personal data."""
    data: Mapping[str, Any] = event.data
    if event.type is EventType.REGISTERED:
        # The number is in the header; the rest of this event's data is personal.
        return _("Clerk no. {clerk}").format(clerk=data.get("clerk_no", ""))
    parts = [
        f"{_(title)}: {_value(key, data[key])}"
        for key, title in _SHOWN
        if data.get(key) not in (None, "")
    ]
    return "; ".join(parts)


class TimelineModel(RowsModel):
    COLUMNS = TIMELINE_COLUMNS

    def cell(self, event: Event, column: int) -> Any:
        if column == 0:
            return f"{event.at:%Y-%m-%d %H:%M}"
        if column == 1:
            return _(EVENT_LABELS.get(event.type, event.type.value))
        if column == 2:
            return event.actor
        return summarise(event)
