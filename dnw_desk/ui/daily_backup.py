"""The daily safety copy of the database while the desk runs (docs/rules.md#local-store, issue 8).

Once after the data dir opened, then every hour: ``backup_if_due`` takes a copy when the newest
backup is a day old — on the copy lane, through SQLite's backup API on its own connection (a
consistent snapshot under WAL), so the writer's lane and a clerk's step never wait the seconds a
large database takes to copy; the retention purge follows on the DB lane. A failure (a full
disk) is told in the status bar and the log; it never blocks the counter.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QStatusBar

from dnw_desk.i18n import _
from dnw_desk.ui.context import DeskUi

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 60 * 60 * 1000
NOTICE_MS = 10_000


class DailyBackup(QObject):
    sig_done = Signal(object)
    """The backup written (a ``Path``), or None when the newest one was recent enough."""

    sig_failed = Signal(str)
    """The backup failed; the message says why."""

    def __init__(self, ui: DeskUi, status_bar: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.status_bar = status_bar
        self.running = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.on_timer_timeout)

    def start(self) -> None:
        self.check()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @Slot()
    def on_timer_timeout(self) -> None:
        self.check()

    def check(self) -> None:
        """Take the copy if one is due (on the copy lane), then purge (on the DB lane); one
        check at a time."""
        if self.running:
            return
        self.running = True
        path, clock = self.ui.desk.db.path, self.ui.desk.clock

        def copy() -> Path | None:
            from dnw_desk.store.schema import backup_if_due

            return backup_if_due(path, clock())

        self.ui.tasks.run(copy, self._purge, self._failed, lane="copy")

    def _purge(self, written: Path | None) -> None:
        """The retention purge rides on the same hourly check, after the copy."""
        desk = self.ui.desk

        def purge() -> Path | None:
            from dnw_desk.services.retention import purge_personal_data

            purge_personal_data(desk.db, desk.settings.retention_days, desk.clock())
            return written

        self.ui.tasks.run(purge, self._done, self._failed)

    def _done(self, written: Path | None) -> None:
        self.running = False
        if written is not None:
            log.info("daily backup written: %s", written)
            self.status_bar.showMessage(
                _("Daily backup saved: {name}").format(name=written.name), NOTICE_MS
            )
        self.sig_done.emit(written)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        reason = str(error) or error.__class__.__name__
        log.error("daily backup failed: %s", reason)
        message = _(
            "The daily backup failed ({reason}). The desk works on; tell IT if this keeps "
            "happening."
        ).format(reason=reason)
        self.status_bar.showMessage(message)
        self.sig_failed.emit(message)
