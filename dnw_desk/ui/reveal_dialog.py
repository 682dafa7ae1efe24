"""Ask why a masked field must be shown in full (the reason goes into the audit log)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QWidget

from dnw_desk.i18n import _
from dnw_desk.ui.widgets import error_label, hint_label, label, show_error, vbox

REVEAL_SECONDS = 30  # a shown value is masked again after this long


class RevealDialog(QDialog):
    def __init__(self, field_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Show personal data"))
        self.setMinimumWidth(420)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("e.g. calling the complainant back"))
        self.error = error_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Show"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        self.setLayout(
            vbox(
                label(_("Why do you need to see the full “{field}”?").format(field=field_label)),
                self.reason,
                self.error,
                hint_label(
                    _(
                        "The viewing and your reason are recorded in the audit log. "
                        "The value is hidden again after {seconds} seconds."
                    ).format(seconds=REVEAL_SECONDS)
                ),
                buttons,
                margin=12,
            )
        )

    @Slot()
    def on_buttons_accepted(self) -> None:
        if len(self.reason.text().strip()) < 2:
            show_error(self.error, _("Give the reason for showing the full value."))
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, field_label: str) -> str | None:
        dialog = cls(field_label, parent)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return str(dialog.reason.text()).strip()
            return None
        finally:
            dialog.deleteLater()  # its parent, the case detail, is kept for the next case
