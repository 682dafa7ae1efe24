"""One dialog for every handling step, built from the step's declared fields
(``services.handling.ACTION_FORMS``).

The convention is one dialog per module with an ``ask`` classmethod; twelve near-identical
dialogs would repeat the same form code, so the form is generated from the declaration and the
validation is the service's own ``validate_action`` (messages beside each field; the dialog
stays open until the form is right).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from dnw_desk.clock import HALL_TZ, Clock, to_hall_time
from dnw_desk.domain.case import CaseState, EventType
from dnw_desk.domain.errors import FieldErrors
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_, _
from dnw_desk.services.handling import (
    ACTION_FORMS,
    ACTION_TITLES,
    FieldSpec,
    extension_choices,
    validate_action,
)
from dnw_desk.services.queue import format_span
from dnw_desk.ui.widgets import error_label, mark_invalid, show_error, vbox

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


class ActionDialog(QDialog):
    def __init__(
        self,
        event_type: EventType,
        state: CaseState,
        units: Sequence[str],
        clock: Clock,
        parent: QWidget | None = None,
        working_time: WorkingTime | None = None,
    ) -> None:
        super().__init__(parent)
        self.event_type = event_type
        self.state = state
        self.units = tuple(units)
        self.clock = clock
        self.working_time = working_time
        self.setWindowTitle(_(ACTION_TITLES[event_type]))
        self.setMinimumWidth(460)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for spec in ACTION_FORMS[event_type]:
            widget = self._input(spec)
            widget.setObjectName(f"field_{spec.name}")
            self.inputs[spec.name] = widget
            self.errors[spec.name] = error_label()
            optional = not spec.required and spec.optional_hint
            text = (
                _("{label} (optional)").format(label=_(spec.label)) if optional else _(spec.label)
            )
            form.addRow(text, vbox(widget, self.errors[spec.name], spacing=2))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        # Return in a multi-line field is a new line: Ctrl+Return saves from anywhere.
        save = QShortcut(QKeySequence("Ctrl+Return"), self)
        save.activated.connect(self.on_buttons_accepted)
        layout = vbox(form, self.buttons, margin=12)
        self.setLayout(layout)
        self.values: dict[str, Any] = {}

    def _input(self, spec: FieldSpec) -> QWidget:
        if spec.kind == "multiline":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(70)
            return edit
        if spec.kind in ("choice", "unit"):
            box = QComboBox()
            box.addItem(_("— choose —"), "")
            if spec.kind == "unit":
                box.setEditable(True)
                # A co-unit's opinion comes from one of the case's co-units.
                co_unit = self.event_type is EventType.CO_UNIT_OPINION
                for unit in self.state.co_units if co_unit else self.units:
                    box.addItem(unit, unit)
                if self.state.lead_unit and not co_unit:
                    box.setCurrentIndex(max(box.findData(self.state.lead_unit), 0))
            else:
                for value, text in spec.choices:
                    box.addItem(_(text), value)
            return box
        if spec.kind == "datetime" and spec.name == "deadline" and self.working_time is not None:
            return self._deadline_choices(self.working_time)
        if spec.kind == "datetime":
            moment = self._default_moment(spec)
            picker = QDateTimeEdit()
            picker.setCalendarPopup(True)
            picker.setDisplayFormat("yyyy-MM-dd HH:mm")
            picker.setDateTime(
                QDateTime(
                    QDate(moment.year, moment.month, moment.day),
                    QTime(moment.hour, moment.minute),
                )
            )
            return picker
        return QLineEdit()

    def _deadline_choices(self, working_time: WorkingTime) -> QComboBox:
        """A new deadline is a working day's closing time: offer exactly those, each with the
        working time it adds, the first one chosen."""
        box = QComboBox()
        now = to_hall_time(self.clock())
        for moment, adds in extension_choices(self.state, now, working_time):
            text = _("{moment} {weekday} (adds {span} of working time)").format(
                moment=f"{moment:%Y-%m-%d %H:%M}",
                weekday=_(WEEKDAYS[moment.weekday()]),
                span=format_span(adds),
            )
            box.addItem(text, moment.isoformat())
        return box

    def _default_moment(self, spec: FieldSpec) -> datetime:
        return to_hall_time(self.clock()).replace(second=0, microsecond=0)

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QPlainTextEdit):
                values[name] = widget.toPlainText()
            elif isinstance(widget, QComboBox):
                data = widget.currentData()
                values[name] = (
                    data
                    if data
                    else (
                        widget.currentText()
                        if widget.isEditable() and widget.currentIndex() != 0
                        else ""
                    )
                )
            elif isinstance(widget, QDateTimeEdit):
                picked = widget.dateTime()
                day, clock = picked.date(), picked.time()
                values[name] = datetime(
                    day.year(),
                    day.month(),
                    day.day(),
                    clock.hour(),
                    clock.minute(),
                    tzinfo=HALL_TZ,
                ).isoformat()
            elif isinstance(widget, QLineEdit):
                values[name] = widget.text()
        return values

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in self.errors.items():
            show_error(message, errors.get(name, ""))
            mark_invalid(self.inputs[name], name in errors)

    @Slot()
    def on_buttons_accepted(self) -> None:
        values = self.collect()
        try:
            validate_action(
                self.event_type, values, self.state, self.clock(), self.units, self.working_time
            )
        except FieldErrors as exc:
            self.show_errors(exc.errors)
            return
        self.values = values
        self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        event_type: EventType,
        state: CaseState,
        units: Sequence[str],
        clock: Clock,
        working_time: WorkingTime | None = None,
    ) -> dict[str, Any] | None:
        """The form's values once they validate, or None if cancelled."""
        dialog = cls(event_type, state, units, clock, parent, working_time)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.values
            return None
        finally:
            dialog.deleteLater()  # its parent, the case detail, is kept for the next case
