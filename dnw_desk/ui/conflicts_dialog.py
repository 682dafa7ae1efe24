"""The shift lead's list of sync conflicts, with both versions side by side (docs/rules.md#sync).

A conflict is an op the server refused (409) or a unit's event the desk could not fold into its
timeline. The lead reads the desk's version and the server's (personal data masked) and settles
it: *keep the desk's version* or *accept the server's*. The decision is recorded in the audit
log; no timeline is rewritten (events are append-only), a follow-up step is entered as usual.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QWidget,
)

from dnw_desk.domain.case import EVENT_LABELS, STATUS_LABELS, Event, EventType, Status
from dnw_desk.domain.roles import Permission, may
from dnw_desk.i18n import N_, _
from dnw_desk.services.timeline import summarise
from dnw_desk.sync.conflicts import (
    RESOLUTION_LABELS,
    Resolution,
    masked,
    open_conflicts_of,
    settle_in,
)
from dnw_desk.sync.state import Conflict
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.rows_model import RowsModel
from dnw_desk.ui.widgets import button, error_label, hbox, hint_label, label, show_error, vbox

COLUMNS = (N_("Detected"), N_("Case number"), N_("Where"), N_("Problem"))
DIRECTION_LABELS = {
    "push": N_("Sent by this desk, refused by the server"),
    "pull": N_("From the server, does not fit this desk's timeline"),
}


class ConflictsModel(RowsModel):
    COLUMNS = COLUMNS

    def cell(self, conflict: Conflict, column: int) -> Any:
        if column == 0:
            return f"{conflict.detected_at:%Y-%m-%d %H:%M}"
        if column == 1:
            return conflict.case_no or "—"
        if column == 2:
            return _(DIRECTION_LABELS.get(conflict.direction, conflict.direction))
        return conflict.message or conflict.code


# --- the two versions as text ---------------------------------------------------------------


def _when(value: Any) -> str:
    try:
        return f"{datetime.fromisoformat(str(value)):%Y-%m-%d %H:%M}"
    except ValueError:
        return str(value)


def _step(event: dict[str, Any]) -> list[str]:
    """The step's line (time, step, by whom) and, indented, what it recorded — labelled as in
    the case timeline, which never shows the registration's personal data."""
    actor = event.get("actor")
    head = f"{_when(event.get('at', ''))}  " + "{step}" + (f"  ({actor})" if actor else "")
    data = event.get("data") or {}
    try:
        kind = EventType(str(event.get("type")))
    except ValueError:
        return [head.format(step=event.get("type", "?")), *_fields(data)]
    lines = [head.format(step=_(EVENT_LABELS[kind]))]
    if kind is EventType.REGISTERED and not data.get("clerk_no"):
        return lines  # the server's side leaves the registration's data out
    try:
        at = datetime.fromisoformat(str(event.get("at")))
    except ValueError:
        return [*lines, *_fields(data)]
    summary = summarise(Event(str(event.get("id", "")), "", kind, at, str(actor or ""), data))
    return [*lines, f"    {summary}"] if summary else lines


def _fields(data: Any, prefix: str = "") -> list[str]:
    """Flattened ``key: value`` lines of (already masked) event data; empty values left out."""
    if isinstance(data, dict):
        lines: list[str] = []
        for key, value in data.items():
            lines += _fields(value, f"{prefix}{key}.")
        return lines
    if data in (None, "", [], {}):
        return []
    if isinstance(data, list):
        return [f"    {prefix.rstrip('.')}: " + ", ".join(str(item) for item in data)]
    return [f"    {prefix.rstrip('.')}: {data}"]


def version_text(value: Any) -> str:
    """A version of a conflict for reading: the steps, then their recorded fields, masked."""
    if value is None or value == []:
        return _("(nothing on this side)")
    value = masked(value)
    lines: list[str] = []
    if isinstance(value, dict):
        if value.get("case_no"):
            lines.append(_("Case {number}").format(number=value["case_no"]))
        if value.get("status"):
            try:
                status = _(STATUS_LABELS[Status(value["status"])])
            except ValueError:
                status = str(value["status"])
            lines.append(_("Status: {status}").format(status=status))
        if isinstance(value.get("event"), dict):
            lines += _step(value["event"])
        for event in value.get("events", []) or []:
            lines += _step(event)
        return "\n".join(lines) if lines else "\n".join(_fields(value))
    if isinstance(value, list):
        for item in value:
            lines += _step(item) if isinstance(item, dict) else [str(item)]
        return "\n".join(lines)
    return str(value)


class ConflictsDialog(QDialog):
    def __init__(self, ui: DeskUi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.settled = 0
        self.setWindowTitle(_("Sync conflicts"))
        self.resize(1100, 640)
        self.model = ConflictsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.desk_text = _version_view()
        self.desk_text.setObjectName("deskVersion")
        self.server_text = _version_view()
        self.server_text.setObjectName("serverVersion")
        self.empty = label(_("No open conflicts: the desk and the server agree."))
        self.error = error_label()
        self.keep_button = button(_(RESOLUTION_LABELS[Resolution.KEEP_DESK]), self.on_keep_clicked)
        self.keep_button.setObjectName("keepDesk")
        self.accept_button = button(
            _(RESOLUTION_LABELS[Resolution.ACCEPT_SERVER]), self.on_accept_clicked
        )
        self.accept_button.setObjectName("acceptServer")
        self.close_button = button(_("Close"), self.accept)
        self._build()
        self.table.selectionModel().currentRowChanged.connect(self.on_table_current_changed)
        self._show_selected()
        self.load()

    def _build(self) -> None:
        sides = QSplitter(Qt.Orientation.Horizontal)
        for title, text in (
            (_("This desk's version"), self.desk_text),
            (_("The server's version"), self.server_text),
        ):
            side = QWidget()
            side.setLayout(vbox(label(title, bold=True), text, spacing=4))
            sides.addWidget(side)
        rows = QSplitter(Qt.Orientation.Vertical)
        rows.addWidget(self.table)
        rows.addWidget(sides)
        rows.setSizes([220, 360])
        self.setLayout(
            vbox(
                hint_label(
                    _(
                        "Settling a conflict records your decision in the audit log; neither "
                        "timeline is rewritten. If the case needs a further step (a note, a new "
                        "answer), enter it in the case as usual. Personal data is masked."
                    )
                ),
                self.empty,
                rows,
                self.error,
                hbox(self.keep_button, self.accept_button, None, self.close_button),
                margin=12,
            )
        )

    def load(self) -> None:
        db = self.ui.desk.db

        def read() -> list[Conflict]:
            return open_conflicts_of(db)

        self.ui.tasks.run(read, self._show_conflicts, self._failed)

    def _show_conflicts(self, conflicts: list[Conflict]) -> None:
        self.model.set_rows(conflicts)
        self.empty.setVisible(not conflicts)
        if conflicts:
            self.table.selectRow(0)
        self._show_selected()

    def selected(self) -> Conflict | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        conflict: Conflict = self.model.rows[index.row()]
        return conflict

    @Slot()
    def on_table_current_changed(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        conflict = self.selected()
        self.keep_button.setEnabled(conflict is not None)
        self.accept_button.setEnabled(conflict is not None)
        self.desk_text.setPlainText(version_text(conflict.local_version) if conflict else "")
        self.server_text.setPlainText(version_text(conflict.server_version) if conflict else "")

    @Slot()
    def on_keep_clicked(self) -> None:
        self.settle(Resolution.KEEP_DESK)

    @Slot()
    def on_accept_clicked(self) -> None:
        self.settle(Resolution.ACCEPT_SERVER)

    def settle(self, resolution: Resolution) -> None:
        conflict, actor = self.selected(), self.ui.actor
        if conflict is None or actor is None:
            return
        if not may(actor.role, Permission.REVIEW):
            show_error(self.error, _("Only a shift lead can settle sync conflicts."))
            return
        show_error(self.error, "")
        db, clock, conflict_id = self.ui.desk.db, self.ui.desk.clock, conflict.id

        def write() -> bool:
            return settle_in(db, conflict_id, resolution, actor.audit_name, clock())

        self.ui.tasks.run(write, self._settled, self._failed)

    def _settled(self, done: bool) -> None:
        if done:
            self.settled += 1
        self.load()

    def _failed(self, error: BaseException) -> None:
        show_error(self.error, str(error))

    @classmethod
    def ask(cls, ui: DeskUi, parent: QWidget | None = None) -> int | None:
        """Show the list; returns how many conflicts were settled, or None for none."""
        dialog = cls(ui, parent)
        dialog.exec()
        return dialog.settled or None


def _version_view() -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return view
