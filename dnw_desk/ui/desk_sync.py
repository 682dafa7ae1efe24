"""Sync beside the desk (docs/rules.md#sync): the worker, its state in the status bar, the
conflicts.

When the desk is enrolled (a server URL and a stored credential), a ``SyncWorker`` thread pushes
the outbox and pulls units' feedback; its reports come to the GUI thread by queued signals. A
use case that changed cases wakes it (``trigger``) so a registration reaches the province in
seconds; cases changed by pulled feedback are published on the change bus so the queue and the
intake screen reload. Not enrolled, the status bar says so and no worker runs.

The sync modules (httpx, pydantic) are imported on the net lane, after the window is up, so they
cost the cold start nothing.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QMessageBox

from dnw_desk.domain.roles import Actor, Permission, may
from dnw_desk.i18n import _
from dnw_desk.services.changes import Changes
from dnw_desk.store.database import Database
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.main_window import MainWindow
from dnw_desk.ui.sync_status import SyncStatusWidget, SyncView

if TYPE_CHECKING:
    from dnw_desk.sync.client import SyncReport, SyncStatus
    from dnw_desk.sync.worker import SyncWorker

log = logging.getLogger(__name__)
LOCAL_SERVER_ENV = "DNW_LOCAL_SERVER"  # make run: the port of the local dnw-server
SYNC_INTERVAL_S = 30.0
STOP_TIMEOUT_S = 5.0


def enrol_with_local_server(db: Database, data_dir: Path) -> None:
    """Under ``make run`` (a local server beside the desk), enrol for the hall and window the
    desk is set up for now; a failure leaves the desk as it was (it works offline)."""
    port = os.environ.get(LOCAL_SERVER_ENV)
    if not port:
        return
    from dnw_desk.devserver import ensure_local_server

    try:
        ensure_local_server(data_dir, port=int(port), desk_db=db)
    except Exception:
        log.exception("enrolling with the local server failed")


class DeskSync(QObject):
    sig_status = Signal(object)
    """A ``SyncStatus`` from the worker's thread (delivered queued to the GUI thread)."""

    sig_report = Signal(object)
    """A ``SyncReport`` of a round that reached the server (delivered queued)."""

    sig_view_changed = Signal(object)
    """The ``SyncView`` now shown in the status bar."""

    def __init__(
        self,
        window: MainWindow,
        ui: DeskUi,
        actor_changed: SignalInstance | None = None,
        *,
        interval: float = SYNC_INTERVAL_S,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ui = ui
        self.interval = interval
        self.worker: SyncWorker | None = None
        self.enrolled = False
        self.server_url: str | None = None
        self._stopped = False
        self._published: Changes | None = None
        self.widget = SyncStatusWidget()
        window.statusBar().insertPermanentWidget(1, self.widget)
        self.sync_action = window.menus.action("sync_now")
        self.conflicts_action = window.menus.action("sync_conflicts")
        self._connect_signals(actor_changed)
        self.on_session_actor_changed(ui.actor)
        window.quit_checks.append(self.unsynced_summary)

    def unsynced_summary(self) -> str | None:
        """For the exit question: changes not on the server yet (as last seen)."""
        view = self.widget.view
        if not self.enrolled or view is None or not view.status.pending:
            return None
        return _("{count} change(s) not synced to the server yet").format(count=view.status.pending)

    def _connect_signals(self, actor_changed: SignalInstance | None) -> None:
        # Emitted on the worker's thread: queued, so the slots run on the GUI thread.
        queued = Qt.ConnectionType.QueuedConnection
        self.sig_status.connect(self.on_worker_status, queued)
        self.sig_report.connect(self.on_worker_report, queued)
        self.ui.bus.sig_changed.connect(self.on_bus_changed)
        self.widget.sig_sync_now.connect(self.on_sync_now_requested)
        self.widget.sig_open_conflicts.connect(self.on_conflicts_requested)
        self.sync_action.triggered.connect(self.on_sync_now_requested)
        self.conflicts_action.triggered.connect(self.on_conflicts_requested)
        if actor_changed is not None:
            actor_changed.connect(self.on_session_actor_changed)

    # --- the worker ----------------------------------------------------------------------

    def start(self) -> None:
        """Find out (on the net lane) whether the desk is enrolled; if so, start the worker."""
        if self._stopped:
            return
        desk = self.ui.desk
        db, data_dir, clock = desk.db, desk.data_dir, desk.clock

        def probe() -> tuple[bool, str | None, SyncStatus]:
            from dnw_desk.sync import state as sync_state
            from dnw_desk.sync.client import read_status
            from dnw_desk.sync.worker import client_for

            enrol_with_local_server(db, data_dir)
            client = client_for(db, data_dir, clock)
            if client is not None:
                client.close()
            enrolment = sync_state.enrolment_of(db)
            url = enrolment.server_url if enrolment is not None else None
            return client is not None, url, read_status(db)

        self.ui.tasks.run(probe, self._probed, self._probe_failed, lane="net")

    def _probed(self, result: tuple[bool, str | None, SyncStatus]) -> None:
        self.enrolled, self.server_url, status = result
        if not self.enrolled and status.state != "not_enrolled":
            # A server URL but no credential (a keyring that lost it): the same for the clerk.
            status = replace(status, state="not_enrolled")
        self.on_worker_status(status)
        if self.enrolled and self.worker is None and not self._stopped:
            self._start_worker()
        elif self.worker is not None:
            self.worker.trigger()  # a round now shows whether the (new) binding holds

    def _probe_failed(self, error: BaseException) -> None:
        log.error("reading the sync state failed: %s", error)
        from dnw_desk.sync.client import SyncStatus

        self.on_worker_status(SyncStatus("error", error=str(error)))

    def _start_worker(self) -> None:
        from dnw_desk.sync.worker import SyncWorker, client_for

        desk = self.ui.desk
        db, data_dir, clock = desk.db, desk.data_dir, desk.clock
        self.worker = SyncWorker(
            lambda: client_for(db, data_dir, clock),
            self.sig_status.emit,
            interval=self.interval,
            db=db,
            on_report=self.sig_report.emit,
        )
        self.worker.start()

    def shutdown(self) -> None:
        """Stop the worker (on exit, before the database closes)."""
        self._stopped = True
        if self.worker is not None:
            self.worker.stop(STOP_TIMEOUT_S)
            self.worker = None

    def refresh(self) -> None:
        """Read the status again (after conflicts were settled)."""
        db = self.ui.desk.db

        def read() -> SyncStatus:
            from dnw_desk.sync.client import read_status

            return read_status(db)

        self.ui.tasks.run(read, self.on_worker_status, self._probe_failed, lane="net")

    # --- slots ---------------------------------------------------------------------------

    @Slot(object)
    def on_worker_status(self, status: SyncStatus) -> None:
        view = SyncView(status, self.server_url, self.ui.desk.clock())
        self.widget.show_view(view)
        self.sig_view_changed.emit(view)

    @Slot(object)
    def on_worker_report(self, report: SyncReport) -> None:
        if report.units_changed or report.calendar_installed:
            # The server's unit list or calendar: the desk computes and offers with it from now.
            desk = self.ui.desk
            changes = Changes(
                case_ids=report.changed_case_ids,
                calendar=report.calendar_installed,
                settings=report.units_changed,
            )
            self._published = changes

            def reload() -> Changes:
                desk.reload()
                return changes

            self.ui.tasks.run(reload)
        elif report.changed_case_ids:
            changes = Changes(case_ids=report.changed_case_ids)
            self._published = changes  # no new round for what this round brought in
            self.ui.bus.publish(changes)

    @Slot(object)
    def on_bus_changed(self, changes: Changes) -> None:
        if changes.settings and changes is not self._published:
            # The hall or window may have changed: enrol again where that is possible (a local
            # server), otherwise the next round says the credential is for another window.
            self.start()
        if changes.cases and changes is not self._published and self.worker is not None:
            self.worker.trigger()

    @Slot()
    def on_sync_now_requested(self) -> None:
        if self.worker is not None:
            self.widget.show_syncing()
            self.worker.trigger()
        else:
            self.start()  # enrolled since the start (``dnw-desk enrol``)?

    @Slot()
    def on_conflicts_requested(self) -> None:
        self.open_conflicts()

    def open_conflicts(self) -> bool:
        """The conflicts dialog; refused (with a message) without the review permission."""
        actor = self.ui.actor
        if actor is None or not may(actor.role, Permission.REVIEW):
            QMessageBox.information(
                self.window,
                _("Sync conflicts"),
                _("Only a shift lead can settle sync conflicts."),
            )
            return False
        from dnw_desk.ui.conflicts_dialog import ConflictsDialog

        settled = ConflictsDialog.ask(self.ui, self.window)
        if settled:
            self.refresh()
        return True

    @Slot(object)
    def on_session_actor_changed(self, actor: Actor | None) -> None:
        can_settle = actor is not None and may(actor.role, Permission.REVIEW)
        self.conflicts_action.setVisible(can_settle)
        self.conflicts_action.setEnabled(can_settle)
        # Not enrolled, *Sync now* looks again (``dnw-desk enrol`` may have run meanwhile).
        self.sync_action.setEnabled(actor is not None)
        self.widget.set_can_settle(can_settle)
