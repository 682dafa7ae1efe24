"""A yes/no question (clear the form? restore the draft?) behind one mockable ``ask``."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class ConfirmDialog(QMessageBox):
    def __init__(self, parent: QWidget | None, title: str, text: str, yes: str, no: str) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(title)
        self.setText(text)
        self.yes_button = self.addButton(yes, QMessageBox.ButtonRole.YesRole)
        self.no_button = self.addButton(no, QMessageBox.ButtonRole.NoRole)
        self.setDefaultButton(self.yes_button)
        self.setEscapeButton(self.no_button)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, yes: str, no: str) -> bool:
        dialog = cls(parent, title, text, yes, no)
        dialog.exec()
        return dialog.clickedButton() is dialog.yes_button
