"""Composition root of the desk GUI: builds the objects and wires them.

Start-up is in two steps so the window shows at once (docs/architecture.md#performance-budgets:
cold start within 1.5 × a bare ``QMainWindow``). First, on the GUI thread, only Qt and small
modules: the Qt application (bundled CJK fonts registered, so Chinese renders on a PC with no
Chinese fonts; Qt's own strings translated), the device settings (language, large font), and the
main window with its login page, whose login field takes typing at once while the status bar says
the database is opening. Then, on the task runner's DB lane, the data dir is locked and, with
plain ``sqlite3``, asked whether the desk is set up: if so, *Log in* is enabled at once (the
password is checked with plain ``sqlite3`` too, ``services.early_login``). Meanwhile, still on
the DB lane: the database (migrations, SQLAlchemy), the first queries, and the imports of the
screens. Back on the GUI thread the first-run wizard shows if the desk is not set up, the screens
are built, and a clerk who logged in early is let in. A failure to open (another instance
running, a read-only data dir) is a dialog and a non-zero exit.

``DNW_EXIT_WHEN_READY=1`` prints ``DNW-READY`` from the first turn of the event loop after the
window was shown with its login page, ``DNW-LOGIN-READY`` when logging in is possible, and
``DNW-SCREENS-READY`` when the screens are built (a clerk who logged in early is let in), then
quits (the cold-start benchmark).
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from concurrent.futures import Future

    from PySide6.QtWidgets import QApplication

    from dnw_desk.local_settings import LocalSettings
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.services.desk import Desk
    from dnw_desk.store.early_login import EarlyLook
    from dnw_desk.store.instance import InstanceLock
    from dnw_desk.store.schema import DatabaseDamaged
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.main_window import MainWindow
    from dnw_desk.ui.screens import Screens
    from dnw_desk.ui.tasks import TaskRunner

EXIT_WHEN_READY_ENV = "DNW_EXIT_WHEN_READY"
READY_MARKER = "DNW-READY"
LOGIN_READY_MARKER = "DNW-LOGIN-READY"
SCREENS_READY_MARKER = "DNW-SCREENS-READY"


def first_run(ui: DeskUi, accounts: AccountService, set_up: bool | None = None) -> bool:
    """Run the setup wizard when the desk is not set up; False when the admin cancelled it.

    ``set_up``: whether the desk is configured and has accounts, when the caller already asked
    the database (on the DB lane); otherwise it is asked here.
    """
    from dnw_desk.services.setup import apply_setup
    from dnw_desk.ui.setup_wizard import SetupWizard
    from dnw_desk.ui.tasks import ignore_failure

    desk = ui.desk
    if set_up is None:
        set_up = (
            desk.settings.configured
            and ui.tasks.run(accounts.has_accounts, on_error=ignore_failure).result()
        )
    if set_up:
        return True
    result = SetupWizard.ask(ui)
    if result is None:
        return False

    # The window cannot be used before this is stored, so wait for the DB lane here.
    ui.tasks.run(lambda: apply_setup(desk, accounts, result), on_error=ignore_failure).result()
    ui.local = replace(result.local, last_login=result.admin.login)
    if ui.printing is not None:
        ui.printing.configure(result.local.printer_uri, result.local.printer_profile)
    return True


@dataclass
class Locked:
    """The data dir locked, and (when it is set up) what the early login page shows."""

    lock: InstanceLock
    look: EarlyLook | None
    upgrading: bool = False  # the open will back up and upgrade an older database first


def lock_data_dir(data_dir: Path) -> Locked:
    """Runs on the DB lane, without SQLAlchemy: take the instance lock and look whether the
    login can be offered before the database is fully open."""
    from dnw_desk.store.early_login import early_look, needs_upgrade
    from dnw_desk.store.instance import InstanceLock, ensure_data_dir

    ensure_data_dir(data_dir)
    lock = InstanceLock(data_dir)
    lock.acquire()
    try:
        return Locked(lock, early_look(data_dir), needs_upgrade(data_dir))
    except BaseException:
        lock.release()
        raise


@dataclass
class Opened:
    """What the DB lane hands back to the GUI thread when the data dir is open."""

    desk: Desk
    lock: InstanceLock
    set_up: bool  # configured, with at least one account: no first-run wizard


def open_data_dir(
    data_dir: Path, restore_from: Path | None = None, lock: InstanceLock | None = None
) -> Opened:
    """Runs on the DB lane: lock, open (and migrate) the database, and warm the screens' imports
    so the GUI thread does not pay for SQLAlchemy and the services when it builds them.

    ``restore_from``: a damaged database is first set aside and this backup put in its place
    (under the instance lock, so no other desk has the file open). ``lock``: already taken by
    ``lock_data_dir`` (released here when the open fails)."""
    from dnw_desk.clock import system_clock
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.services.desk import open_desk
    from dnw_desk.services.setup import is_set_up
    from dnw_desk.store.schema import InstanceLock, ensure_data_dir, set_aside_and_restore

    if lock is None:
        ensure_data_dir(data_dir)
        lock = InstanceLock(data_dir)
        lock.acquire()
    try:
        if restore_from is not None:
            set_aside_and_restore(data_dir, restore_from, system_clock())
        desk = open_desk(data_dir)
        set_up = is_set_up(desk, AccountService(desk.db))
    except BaseException:
        lock.release()
        raise
    # The sync client (httpx, pydantic) is warmed here too: imported lazily from two lanes at
    # once, pydantic's circular imports once failed with "partially initialized module".
    import dnw_desk.printing.db_store
    import dnw_desk.sync.client
    import dnw_desk.sync.worker
    import dnw_desk.ui.daily_backup
    import dnw_desk.ui.desk_session
    import dnw_desk.ui.desk_sync
    import dnw_desk.ui.print_jobs
    import dnw_desk.ui.queue.install
    import dnw_desk.ui.screens  # noqa: F401

    return Opened(desk, lock, set_up)


class DeskStart:
    """The second step of start-up, and the shutdown: owns what the DB lane opened."""

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        data_dir: Path,
        local: LocalSettings,
    ) -> None:
        self.app = app
        self.window = window
        self.tasks: TaskRunner | None = None
        self.data_dir = data_dir
        self.local = local
        self.exit_when_ready = bool(os.environ.get(EXIT_WHEN_READY_ENV))
        self.opened: Opened | None = None
        self.ui: DeskUi | None = None
        self.screens: Screens | None = None
        self.future: Future[Any] | None = None
        self.locked: Locked | None = None  # until ``opened`` holds the lock
        self.login_ready = False
        self.restored_from: list[Path] = []

    def start(self) -> None:
        from dnw_desk.ui.tasks import TaskRunner

        self.tasks = TaskRunner()
        data_dir = self.data_dir
        self.future = self.tasks.run(
            lambda: lock_data_dir(data_dir), self.on_locked, self.on_open_failed
        )

    def on_locked(self, locked: Locked) -> None:
        from dnw_desk.services.early_login import EarlyLogin

        assert self.tasks is not None
        self.locked = locked
        page = self.window.login_page
        if locked.upgrading:
            self.window.show_opening(upgrading=True)
        if locked.look is not None and page is not None:
            page.attach_early(self.tasks, EarlyLogin(self.data_dir), locked.look.hall)
            self._login_possible()
        data_dir, lock = self.data_dir, locked.lock
        self.future = self.tasks.run(
            lambda: open_data_dir(data_dir, lock=lock), self.on_opened, self.on_open_failed
        )

    def _login_possible(self) -> None:
        if self.exit_when_ready and not self.login_ready:
            print(LOGIN_READY_MARKER, flush=True)
        self.login_ready = True

    def on_opened(self, opened: Opened) -> None:
        self.opened = opened
        self.locked = None
        try:
            from dnw_desk.ui.screens import build_screens, build_ui, freeze_start_up_heap

            ui, accounts = build_ui(opened.desk, self.local, self.tasks)
            self.ui = ui
            self.window.statusBar().clearMessage()  # open: no more "opening the database"
            if not first_run(ui, accounts, opened.set_up):
                self.app.exit(1)
                return
            self.screens = build_screens(self.window, ui, accounts)
            self._login_possible()
            if self.exit_when_ready:
                print(SCREENS_READY_MARKER, flush=True)
                self.app.quit()
                return
            self.screens.start_background()
            freeze_start_up_heap()
        except Exception as exc:  # never leave a window whose login cannot be enabled
            self.on_open_failed(exc)

    def on_open_failed(self, error: BaseException) -> None:
        from PySide6.QtWidgets import QMessageBox

        from dnw_desk.store.instance import StoreError
        from dnw_desk.store.schema import DatabaseDamaged

        self.locked = None  # a failed open released the lock

        if isinstance(error, DatabaseDamaged) and not self.exit_when_ready:
            self.on_database_damaged(error)
            return

        message = (
            str(error)
            if isinstance(error, StoreError)
            else _("The data directory {path} could not be opened: {reason}").format(
                path=self.data_dir, reason=error
            )
        )
        self.window.statusBar().showMessage(message)
        print(message, file=sys.stderr)
        if not self.exit_when_ready:
            QMessageBox.critical(self.window, _("dnw-desk cannot start"), message)
        self.app.exit(2)

    def on_database_damaged(self, error: DatabaseDamaged) -> None:
        """Offer the newest backup (once: a backup that is damaged too is not offered again)."""
        from dnw_desk.ui.damaged_dialog import DamagedDatabaseDialog

        backup = error.backup
        message = str(error)
        if backup in self.restored_from:
            message += " " + _(
                "Restoring {name} did not help: it cannot be read either. Ask IT for help."
            ).format(name=backup.name if backup else "")
            backup = None
        self.window.statusBar().showMessage(message)
        print(message, file=sys.stderr)
        if not DamagedDatabaseDialog.ask(self.window, message, backup):
            self.app.exit(2)
            return
        assert backup is not None and self.tasks is not None
        self.restored_from.append(backup)
        self.window.statusBar().showMessage(_("Restoring the newest backup…"))
        data_dir = self.data_dir
        self.future = self.tasks.run(
            lambda: open_data_dir(data_dir, restore_from=backup),
            self.on_opened,
            self.on_open_failed,
        )

    def shut_down(self) -> None:
        """After the event loop: keep the draft and the geometry, stop the workers, close."""
        ui, screens = self.ui, self.screens
        if screens is not None:
            if not screens.session.intake.form.is_empty():
                screens.session.intake.save_draft_now()
            screens.stop_background()
        if ui is not None:
            geometry = bytes(self.window.saveGeometry().toBase64().data()).decode()
            ui.local = replace(ui.local, geometry=geometry)
            if ui.printing is not None:
                ui.printing.shutdown()
        opened = self.opened
        locked: Locked | None = None
        if opened is None and self.future is not None:
            # The window closed before the open was delivered: wait for it, then close it.
            with contextlib.suppress(BaseException):
                done = self.future.result()
                if isinstance(done, Opened):
                    opened = done
                elif isinstance(done, Locked):  # closed before the open was even asked for
                    locked = done

        def close() -> None:
            if ui is not None:
                from dnw_desk.local_settings import save_local_settings

                with contextlib.suppress(OSError):
                    save_local_settings(self.data_dir, ui.local)
            if opened is not None:
                opened.desk.close()
                opened.lock.release()
            elif locked is not None:
                locked.lock.release()

        if self.tasks is None:  # the event loop ended before the start
            return
        # On the DB lane: the lock was taken there (file locks may be per thread).
        self.tasks.run(close)
        self.tasks.shutdown()


def start_window(local: LocalSettings) -> MainWindow:
    """The main window with its login page, before the database is open (Qt only)."""
    from dnw_desk.ui.login_page import LoginPage
    from dnw_desk.ui.main_window import MainWindow

    window = MainWindow()
    page = LoginPage()
    window.adopt_login_page(page)
    page.show_login(local.last_login)
    return window


def _print_ready() -> None:
    print(READY_MARKER, flush=True)


def _started() -> None:
    import gc

    # The start-up objects (modules, Qt wrappers) live as long as the desk: move them out of
    # the collector's sight, then collect as usual.
    gc.freeze()
    gc.enable()


def run_desk(data_dir: Path) -> int:
    import gc

    # No cyclic collections while the start-up imports allocate (~10 ms); see ``_started``.
    gc.disable()
    from PySide6.QtCore import QByteArray, QTimer
    from PySide6.QtWidgets import QApplication

    from dnw_desk.i18n import set_language
    from dnw_desk.local_settings import LocalSettings, load_local_settings

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("dnw-desk")
    # A small JSON file, read before any window: the language and font size of every screen.
    local = load_local_settings(data_dir) if data_dir.is_dir() else LocalSettings()
    set_language(local.language)
    from dnw_desk.ui.look import setup_qt_look

    setup_qt_look(app, local.language, local.large_font, fonts_in_background=True)
    window = start_window(local)
    window.show_opening()
    if local.geometry:
        window.restoreGeometry(QByteArray.fromBase64(local.geometry.encode()))
        window.show()
    else:
        # A counter PC's screen belongs to the desk; a fixed size would put the status bar
        # (sync and printer state) below a 1366×768 screen once the title bar is added.
        window.showMaximized()
    start = DeskStart(app, window, data_dir, local)
    if start.exit_when_ready:
        QTimer.singleShot(0, _print_ready)
    # From the event loop, after the window's first turn: the DB lane's imports (SQLAlchemy,
    # the screens) would otherwise compete with it for the interpreter.
    QTimer.singleShot(0, _started)
    QTimer.singleShot(0, start.start)
    try:
        return app.exec()
    finally:
        start.shut_down()
