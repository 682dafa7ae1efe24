"""The case timeline as a small table model (time, step, by whom, what was recorded).

The registration event's data holds the complainant's personal data: it is never shown here
(the detail header shows it masked), only the steps' own fields are summarised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

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

TIMELINE_COLUMNS = (N_("Time"), N_("Step"), N_("By"), N_("Details"))
_ROOT = QModelIndex()
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


class TimelineModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._events: list[Event] = []

    def set_events(self, events: Sequence[Event]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(TIMELINE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(TIMELINE_COLUMNS)
        ):
            return _(TIMELINE_COLUMNS[section])
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            column = index.column()
            if column == 0:
                return f"{event.at:%Y-%m-%d %H:%M}"
            if column == 1:
                return _(EVENT_LABELS.get(event.type, event.type.value))
            if column == 2:
                return event.actor
            return summarise(event)
        return None
