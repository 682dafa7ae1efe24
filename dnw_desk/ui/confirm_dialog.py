"""A yes/no question (clear the form? restore the draft?) behind one mockable ``ask``."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class ConfirmDialog(QMessageBox):
    """``destructive``: "yes" loses something (clearing a form), so Enter answers the safe "no"
    and only a deliberate click or its mnemonic destroys."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        yes: str,
        no: str,
        destructive: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
        self.setWindowTitle(title)
        self.setText(text)
        yes_role = (
            QMessageBox.ButtonRole.DestructiveRole
            if destructive
            else QMessageBox.ButtonRole.YesRole
        )
        self.yes_button = self.addButton(yes, yes_role)
        self.no_button = self.addButton(no, QMessageBox.ButtonRole.NoRole)
        self.setDefaultButton(self.no_button if destructive else self.yes_button)
        self.setEscapeButton(self.no_button)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        title: str,
        text: str,
        yes: str,
        no: str,
        destructive: bool = False,
    ) -> bool:
        dialog = cls(parent, title, text, yes, no, destructive)
        dialog.exec()
        return dialog.clickedButton() is dialog.yes_button
