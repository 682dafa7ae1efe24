"""The receipt or slip as it prints: the same QImage the printer gets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QWidget

from dnw_desk.i18n import _
from dnw_desk.ui.widgets import vbox

REPRINT = 2  # dialog result: the clerk asked for a reprint


class ReceiptPreviewDialog(QDialog):
    def __init__(self, image: QImage, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.image_label = QLabel()
        self.image_label.setObjectName("receiptImage")
        self.image_label.setPixmap(QPixmap.fromImage(image))
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.image_label)
        scroll.setWidgetResizable(True)
        scroll.setStyleSheet("QScrollArea { background: #e8eaed; }")
        self.buttons = QDialogButtonBox()
        self.reprint_button = self.buttons.addButton(
            _("Reprint"), QDialogButtonBox.ButtonRole.ActionRole
        )
        close = self.buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        self.setLayout(vbox(scroll, self.buttons, margin=8))
        screen = self.screen().availableGeometry() if self.screen() else None
        height = min(image.height() + 90, (screen.height() - 80) if screen else 700)
        self.resize(image.width() + 60, max(400, height))
        self.reprint_button.clicked.connect(lambda: self.done(REPRINT))
        self.buttons.rejected.connect(self.reject)

    @classmethod
    def ask(cls, parent: QWidget | None, image: QImage, title: str) -> bool:
        """Show the preview; True when the clerk asked for a reprint."""
        return cls(image, title, parent).exec() == REPRINT
