"""One app-wide signal that carries what a use case changed (docs/architecture.md#data-flow)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from dnw_desk.services.changes import Changes


class ChangeBus(QObject):
    sig_changed = Signal(object)
    """A ``Changes`` after a use case committed; screens reload only what they show."""

    def publish(self, changes: Changes) -> None:
        self.sig_changed.emit(changes)
