"""The database cannot be read at start-up: say so, and offer the newest backup (issue 8).

The message comes from ``DatabaseDamaged`` (what is wrong, that nothing was changed, which
backup is the newest and what restoring it means). With a backup the choice is *Restore the
newest backup* or *Quit*; without one, only *Quit*.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QLabel, QStyle, QWidget

from dnw_desk.i18n import _
from dnw_desk.ui.widgets import button, hbox, label, vbox


class DamagedDatabaseDialog(QDialog):
    def __init__(self, message: str, backup: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("The database is damaged"))
        self.setMinimumWidth(560)
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size)
        )
        self.message = label(message, wrap=True)
        self.message.setObjectName("damagedMessage")
        self.restore_button = button(_("Restore the newest backup"), self.accept, default=True)
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.setVisible(backup is not None)
        self.quit_button = button(_("Quit"), self.reject, default=backup is None)
        self.quit_button.setObjectName("quitDesk")
        self.setLayout(
            vbox(
                hbox(icon, self.message, spacing=12),
                hbox(None, self.restore_button, self.quit_button),
                margin=16,
                spacing=14,
            )
        )

    @classmethod
    def ask(cls, parent: QWidget | None, message: str, backup: Path | None) -> bool:
        """True: restore ``backup`` and open it; False: quit."""
        dialog = cls(message, backup, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted and backup is not None
