"""Text messages beside the desk (docs/rules.md#text-messages): the background sender, and the
failing messages in the status bar for the shift lead (number, message, reason — never the
phone). Hidden while nothing fails."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel

from dnw_desk.i18n import _
from dnw_desk.services.sms import FailingMessage, SmsService, failing_messages, gateway_for

if TYPE_CHECKING:
    from dnw_desk.sms.worker import SmsWorker
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.main_window import MainWindow

STOP_TIMEOUT_S = 15.0


class DeskSms(QObject):
    sig_round_done = Signal()  # from the sender's thread: queued to the GUI thread

    def __init__(self, window: MainWindow, ui: DeskUi) -> None:
        super().__init__(window)
        self.ui = ui
        self.worker: SmsWorker | None = None
        self._stopped = False
        self.label = QLabel()
        self.label.setObjectName("smsFailing")
        self.label.setStyleSheet("color: #b00020;")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.sig_round_done.connect(self.on_round_done, Qt.ConnectionType.QueuedConnection)
        ui.bus.sig_changed.connect(self.on_changed)

    def start(self) -> None:
        from dnw_desk.sms.worker import SmsWorker

        if self._stopped:
            return
        desk = self.ui.desk

        def service() -> SmsService:
            settings = desk.settings
            return SmsService(desk.db, desk.cases, settings, gateway_for(settings), desk.clock)

        self.worker = SmsWorker(service, self.sig_round_done.emit)
        self.worker.start()

    def shutdown(self) -> None:
        """Stop the sender (before the database closes); a round's late signal is ignored."""
        self._stopped = True
        if self.worker is not None:
            self.worker.stop(STOP_TIMEOUT_S)
            self.worker = None

    @Slot(object)
    def on_changed(self, _changes: object) -> None:
        if self.worker is not None:
            self.worker.trigger()  # a save may have planned a message: send it now

    @Slot()
    def on_round_done(self) -> None:
        if self._stopped:
            return
        db = self.ui.desk.db
        self.ui.tasks.run(lambda: failing_messages(db), self.show_failing)

    def show_failing(self, failing: list[FailingMessage]) -> None:
        if not failing:
            self.label.hide()
            return
        self.label.setText(_("Text messages failing: {count}").format(count=len(failing)))
        lines = [
            _("{number}: {reason} (tries: {tries}{final})").format(
                number=item.case_number,
                reason=item.reason,
                tries=item.attempts,
                final=_(", given up") if item.gave_up else "",
            )
            for item in failing
        ]
        self.label.setToolTip("\n".join(lines))
        self.label.show()
