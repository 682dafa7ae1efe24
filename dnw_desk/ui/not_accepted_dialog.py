"""Not accepted: the reason and where to go instead, for the one-time notification slip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QWidget,
)

from dnw_desk.i18n import _, current_language
from dnw_desk.services.reference_data import RefusalReason
from dnw_desk.ui.widgets import error_label, hint_label, show_error, vbox


@dataclass(frozen=True)
class Refusal:
    reason_code: str
    reason: str
    advice: str


def default_advice(code: str, hotline: str) -> str:
    advice = {
        "x-litigation": _("Please follow the court or arbitration procedure."),
        "x-petition": _("Please go to the petition (信访) office."),
        "x-own-fault": _("Please complete the materials listed and apply again."),
        "x-policy": _("The request cannot be met under current law, regulations or policy."),
        "x-not-provincial": _("Please go to the city or district government service centre."),
        "x-hotline": _("Please call the {hotline} hotline.").format(hotline=hotline),
    }
    return advice.get(code, _("Please call the {hotline} hotline.").format(hotline=hotline))


class NotAcceptedDialog(QDialog):
    def __init__(
        self, reasons: Sequence[RefusalReason], hotline: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Not accepted — one-time notification"))
        self.setMinimumWidth(520)
        self.hotline = hotline
        self.reasons = list(reasons)
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("reasonCode")
        english = current_language() == "en"
        for reason in self.reasons:
            self.reason_combo.addItem(reason.label_en if english else reason.label_zh, reason.code)
        self.reason_text = QPlainTextEdit()
        self.reason_text.setObjectName("reasonText")
        self.reason_text.setTabChangesFocus(True)
        self.reason_text.setMaximumHeight(80)
        self.advice_text = QPlainTextEdit()
        self.advice_text.setObjectName("adviceText")
        self.advice_text.setTabChangesFocus(True)
        self.advice_text.setMaximumHeight(80)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("Reason"), self.reason_combo)
        form.addRow(_("Why (printed)"), self.reason_text)
        form.addRow(_("Where to go instead"), self.advice_text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Save and print slip"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        note = hint_label(
            _("The case is recorded as not accepted and the one-time notification slip is printed.")
        )
        self.setLayout(vbox(note, form, self.error, self.buttons, margin=12))
        self._connect_signals()
        self.on_reason_changed()

    def _connect_signals(self) -> None:
        self.reason_combo.currentIndexChanged.connect(self.on_reason_changed)
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    @Slot()
    def on_reason_changed(self) -> None:
        code = self.reason_combo.currentData()
        self.reason_text.setPlainText(self.reason_combo.currentText())
        self.advice_text.setPlainText(default_advice(code, self.hotline))

    @Slot()
    def on_buttons_accepted(self) -> None:
        if not self.reason_text.toPlainText().strip():
            show_error(self.error, _("Give the reason the case is not accepted."))
            return
        if not self.advice_text.toPlainText().strip():
            show_error(self.error, _("Tell the complainant where to go instead."))
            return
        self.accept()

    def refusal(self) -> Refusal:
        return Refusal(
            str(self.reason_combo.currentData()),
            self.reason_text.toPlainText().strip(),
            self.advice_text.toPlainText().strip(),
        )

    @classmethod
    def ask(
        cls, parent: QWidget | None, reasons: Sequence[RefusalReason], hotline: str
    ) -> Refusal | None:
        dialog = cls(reasons, hotline, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.refusal()
        return None
