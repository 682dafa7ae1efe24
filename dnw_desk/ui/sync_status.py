"""The sync state in the status bar (docs/rules.md#sync: synced / N pending / offline since … /
error).

One line from ``SyncStatus.text()`` coloured by state, a tooltip with the detail (server, last
sync, pending ops, the error), *Sync now*, and — for a shift lead when there are any — a button
to the conflicts. Only shows what ``DeskSync`` hands it; it does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from dnw_desk.i18n import _
from dnw_desk.ui.widgets import button, hbox

if TYPE_CHECKING:
    # Types only: the client module imports httpx, which the desk loads on the net lane.
    from dnw_desk.sync.client import SyncStatus

COLOURS = {
    "synced": "#137333",
    "pending": "#5f6368",
    "offline": "#b06000",
    "error": "#b3261e",
    "not_enrolled": "#5f6368",
    "checking": "#5f6368",
}


@dataclass(frozen=True)
class SyncView:
    """What the widget shows: the status, and where and when it was read."""

    status: SyncStatus
    server_url: str | None = None
    checked_at: datetime | None = None


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def detail_lines(view: SyncView) -> list[str]:
    """The tooltip: everything behind the one status line."""
    status = view.status
    if status.state == "not_enrolled":
        lines = [
            _("This desk is not enrolled with a central server; cases stay on this PC."),
            _("An administrator enrols it with: dnw-desk enrol --server URL --token TOKEN"),
        ]
        if status.pending:
            lines.append(_("Operations waiting to be sent: {count}").format(count=status.pending))
        return lines
    lines = []
    if view.server_url:
        lines.append(_("Server: {url}").format(url=view.server_url))
    if status.last_synced_at is not None:
        lines.append(_("Last synced: {time}").format(time=_time(status.last_synced_at)))
    else:
        lines.append(_("Not synced yet."))
    lines.append(_("Operations waiting to be sent: {count}").format(count=status.pending))
    if status.offline_since is not None:
        lines.append(
            _("Server unreachable since {time}; the desk works on and sends later.").format(
                time=_time(status.offline_since)
            )
        )
    if status.state == "error" and status.error:
        lines.append(_("Error: {message}").format(message=status.error))
    if status.conflicts:
        lines.append(
            _("Conflicts waiting for the shift lead: {count}").format(count=status.conflicts)
        )
    if view.checked_at is not None:
        lines.append(_("Checked at {time}").format(time=_time(view.checked_at)))
    return lines


class SyncStatusWidget(QWidget):
    sig_sync_now = Signal()
    """The user asked for a sync round now."""

    sig_open_conflicts = Signal()
    """The user asked for the conflicts list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(_("Sync: checking…"))
        self.label.setObjectName("syncState")
        self.sync_button = button(_("Sync now"), self.sig_sync_now.emit)
        self.sync_button.setObjectName("syncNow")
        self.conflicts_button = button("", self.sig_open_conflicts.emit)
        self.conflicts_button.setObjectName("syncConflicts")
        self.conflicts_button.setVisible(False)
        self.view: SyncView | None = None
        self.can_settle = False
        self.setLayout(hbox(self.label, self.conflicts_button, self.sync_button))
        self._paint("checking")

    def show_view(self, view: SyncView) -> None:
        self.view = view
        status = view.status
        self.label.setText(status.text())
        tooltip = "\n".join(detail_lines(view))
        self.label.setToolTip(tooltip)
        self.setToolTip(tooltip)
        self.sync_button.setVisible(status.state != "not_enrolled")
        self.sync_button.setEnabled(True)
        self._paint(status.state)
        self._show_conflicts()

    def show_syncing(self) -> None:
        self.label.setText(_("Syncing…"))
        self.sync_button.setEnabled(False)
        self._paint("checking")

    def set_can_settle(self, can: bool) -> None:
        """Whether the logged-in person may settle conflicts (the button shows only then)."""
        self.can_settle = can
        self._show_conflicts()

    def _show_conflicts(self) -> None:
        count = self.view.status.conflicts if self.view is not None else 0
        self.conflicts_button.setText(_("Conflicts ({count})…").format(count=count))
        self.conflicts_button.setVisible(bool(count) and self.can_settle)

    def _paint(self, state: str) -> None:
        self.label.setStyleSheet(f"color: {COLOURS.get(state, '#5f6368')};")
