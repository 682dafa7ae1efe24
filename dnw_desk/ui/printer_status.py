"""The printer's state in the status bar, with *retry* when a job did not print."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QWidget

from dnw_desk.i18n import _
from dnw_desk.ui.print_jobs import PrintJobs
from dnw_desk.ui.widgets import button, hbox

COLOURS = {"error": "#b3261e", "printing": "#5f6368", "ok": "#137333", "idle": "#5f6368"}


class PrinterStatus(QWidget):
    def __init__(self, printing: PrintJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.printing = printing
        self.label = QLabel(_("Printer: ready"))
        self.label.setObjectName("printerState")
        self.retry_button = button(_("Retry"), self.on_retry_clicked)
        self.retry_button.setObjectName("retryPrint")
        self.retry_button.setVisible(False)
        # Connected by the session to the intake screen's reprint of the last case.
        self.reprint_button = button(_("Reprint last"))
        self.reprint_button.setObjectName("reprintLast")
        self.reprint_button.setVisible(False)
        self.setLayout(hbox(self.label, self.retry_button, self.reprint_button))
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.printing.sig_state.connect(self.on_printing_state)

    @Slot(str, str)
    def on_printing_state(self, state: str, message: str) -> None:
        failed = len(self.printing.failed)
        if failed and state != "printing":
            state = "error"
            message = message if message else ""
            message += " " + _("{count} job(s) wait for the printer.").format(count=failed)
        self.label.setText(message.strip())
        self.label.setStyleSheet(f"color: {COLOURS.get(state, '#5f6368')};")
        self.retry_button.setVisible(bool(failed))
        self.reprint_button.setVisible(state == "error")

    @Slot()
    def on_retry_clicked(self) -> None:
        self.retry_button.setVisible(False)
        self.printing.retry_failed()
