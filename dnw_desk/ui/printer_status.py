"""The printer's state in the status bar, with the open print jobs, *retry* and *reprint*.

Backed by the print queue on the desk database: after a restart the jobs that did not print are
listed again (the *Print queue* button's menu) and can be retried one by one or all at once.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QMenu, QToolButton, QWidget

from dnw_desk.i18n import _
from dnw_desk.printing.queue import JobStatus, PrintJob
from dnw_desk.ui.print_jobs import PrintJobs, open_job_lines
from dnw_desk.ui.widgets import button, hbox

COLOURS = {"error": "#b3261e", "printing": "#5f6368", "ok": "#137333", "idle": "#5f6368"}


class PrinterStatus(QWidget):
    def __init__(self, printing: PrintJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.printing = printing
        self.label = QLabel(_("Printer: ready"))
        self.label.setObjectName("printerState")
        self.logged_in = False
        self.retry_button = button(_("Retry"), self.on_retry_clicked)
        self.retry_button.setObjectName("retryPrint")
        self.retry_button.setVisible(False)
        # Connected by the session to the intake screen's reprint of the last case.
        self.reprint_button = button(_("Reprint last"))
        self.reprint_button.setObjectName("reprintLast")
        self.reprint_button.setVisible(False)
        self.jobs_menu = QMenu(self)
        self.jobs_button = QToolButton()
        self.jobs_button.setObjectName("printQueue")
        self.jobs_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.jobs_button.setMenu(self.jobs_menu)
        self.jobs_button.setVisible(False)
        self._state, self._message = "idle", ""
        self.setLayout(hbox(self.label, self.jobs_button, self.retry_button, self.reprint_button))
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.printing.sig_state.connect(self.on_printing_state)
        self.printing.sig_jobs_changed.connect(self.on_printing_jobs_changed)

    @Slot(str, str)
    def on_printing_state(self, state: str, message: str) -> None:
        self._state, self._message = state, message
        self._show()

    @Slot(object)
    def on_printing_jobs_changed(self, jobs: list[PrintJob]) -> None:
        self.jobs_menu.clear()
        for job, line in zip(jobs, open_job_lines(jobs), strict=True):
            action = self.jobs_menu.addAction(line)
            action.setEnabled(job.status is JobStatus.FAILED)
            action.triggered.connect(lambda _checked=False, j=job.id: self.printing.retry_jobs([j]))
        if self.printing.failed:
            self.jobs_menu.addSeparator()
            self.jobs_menu.addAction(_("Retry all"), self.on_retry_clicked)
        self.jobs_button.setText(_("Print queue ({count})").format(count=len(jobs)))
        self.jobs_button.setVisible(bool(jobs))
        self._show()

    def _show(self) -> None:
        state, message = self._state, self._message
        failed = len(self.printing.failed)
        if failed and state != "printing":
            state = "error"
            message += " " + _("{count} job(s) wait for the printer.").format(count=failed)
        text = message.strip() or _("Printer: ready")
        # The status bar is narrow at 1366 px: the label may be cut, the tooltip never is.
        self.label.setText(text)
        self.label.setToolTip(text)
        self.label.setStyleSheet(f"color: {COLOURS.get(state, '#5f6368')};")
        self.retry_button.setVisible(bool(failed) and self.logged_in)
        self.reprint_button.setVisible(state == "error" and self.logged_in)

    def set_logged_in(self, logged_in: bool) -> None:
        """Retry and reprint print personal data: offered only while someone is logged in."""
        self.logged_in = logged_in
        self._show()

    @Slot()
    def on_retry_clicked(self) -> None:
        self.retry_button.setVisible(False)
        self.printing.retry_failed()
