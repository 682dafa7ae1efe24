"""Composition root of the desk GUI: builds the objects and wires them.

Start-up order: Qt application (bundled CJK fonts registered, so Chinese renders on a PC with no
Chinese fonts; Qt's own strings translated), the data dir (lock, database, migrations), device
settings (language, large font, printer), the first-run wizard if the desk is not set up, then
the main window with the login page. ``DNW_EXIT_WHEN_READY=1`` prints ``DNW-READY`` and quits
from the first turn of the event loop after the window was shown (the cold-start benchmark).
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from dnw_desk.local_settings import LocalSettings
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.services.desk import Desk
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.desk_session import DeskSession
    from dnw_desk.ui.main_window import MainWindow

EXIT_WHEN_READY_ENV = "DNW_EXIT_WHEN_READY"
READY_MARKER = "DNW-READY"
LARGE_FONT_SCALE = 1.3


def setup_qt_look(app: QApplication, language: str, large_font: bool) -> None:
    """Fonts, Qt's own translations and the style sheet; call once, before any window."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QFont

    from dnw_desk.printing.fonts import register_qt_fonts
    from dnw_desk.ui.widgets import APP_STYLE

    bundled = register_qt_fonts()
    font = QFont(app.font())
    # The system face first (it looks native), then the bundled fonts for what it lacks.
    font.setFamilies([font.family(), *[f for f in bundled if f != font.family()]])
    if large_font:
        size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        font.setPointSizeF(size * LARGE_FONT_SCALE)
    app.setFont(font)
    translator = QTranslator(app)
    qt_language = "zh_CN" if language == "zh_CN" else "en"
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{qt_language}", path):
        app.installTranslator(translator)
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese if language == "zh_CN" else QLocale.Language.English)
    )
    app.setStyleSheet(APP_STYLE)


def build_ui(
    desk: Desk, local: LocalSettings, tasks: Any | None = None
) -> tuple[DeskUi, AccountService]:
    """The UI context for one open desk (also used by tests and the screenshot script)."""
    from dnw_desk.printing.db_store import DatabaseJobStore
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.ui.changes import ChangeBus
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.print_jobs import PrintJobs
    from dnw_desk.ui.tasks import TaskRunner

    runner = tasks if tasks is not None else TaskRunner()
    printing = PrintJobs(
        runner,
        desk.data_dir,
        local.printer_uri,
        local.printer_profile,
        desk.clock,
        store=DatabaseJobStore(desk.db),
    )
    ui = DeskUi(desk=desk, tasks=runner, bus=ChangeBus(), local=local, printing=printing)
    printing.desk = desk
    printing.actor_of = lambda: ui.actor
    printing.sig_changes.connect(ui.bus.publish)
    return ui, AccountService(desk.db, desk.clock)


def build_window(ui: DeskUi, accounts: AccountService) -> tuple[MainWindow, DeskSession]:
    from dnw_desk.ui.desk_session import DeskSession
    from dnw_desk.ui.main_window import MainWindow
    from dnw_desk.ui.queue.install import install as install_queue

    window = MainWindow(ui)
    session = DeskSession(window, ui, accounts)
    # The queue, case detail, alerts and review (issue 6): pages, a menu and the alert banner.
    window.queue_features = install_queue(  # type: ignore[attr-defined]
        window, ui, session.sig_actor_changed
    )
    if ui.printing is not None:
        # Jobs a previous run left queued print now; failed ones are listed for retry.
        ui.printing.start()
    return window, session


def first_run(ui: DeskUi, accounts: AccountService) -> bool:
    """Run the setup wizard when the desk is not set up; False when the admin cancelled it."""
    from dnw_desk.local_settings import save_local_settings
    from dnw_desk.services.settings import save_settings
    from dnw_desk.ui.setup_wizard import SetupWizard

    desk = ui.desk
    if desk.settings.configured and accounts.has_accounts():
        return True
    result = SetupWizard.ask(ui)
    if result is None:
        return False

    def apply() -> None:
        if not accounts.has_accounts():
            accounts.create(result.admin, by=None)
        save_settings(
            desk.db, result.business, actor=f"setup:{result.admin.login}", now=desk.clock()
        )
        desk.reload()
        save_local_settings(desk.data_dir, result.local)

    # The window cannot be used before this is stored, so wait for the DB lane here.
    ui.tasks.run(apply).result()
    ui.local = replace(result.local, last_login=result.admin.login)
    if ui.printing is not None:
        ui.printing.configure(result.local.printer_uri, result.local.printer_profile)
    return True


def _report_ready_and_quit(app: QApplication) -> None:
    print(READY_MARKER, flush=True)
    app.quit()


def run_desk(data_dir: Path) -> int:
    from PySide6.QtCore import QByteArray, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from dnw_desk.i18n import set_language
    from dnw_desk.local_settings import load_local_settings, save_local_settings
    from dnw_desk.services.desk import open_desk
    from dnw_desk.store.database import StoreError
    from dnw_desk.store.schema import InstanceLock, ensure_data_dir

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("dnw-desk")
    local = load_local_settings(data_dir) if data_dir.is_dir() else None
    language = local.language if local else "zh_CN"
    set_language(language)
    setup_qt_look(app, language, bool(local and local.large_font))
    lock = InstanceLock(data_dir)
    try:
        ensure_data_dir(data_dir)
        lock.acquire()
        desk = open_desk(data_dir)
    except StoreError as exc:
        QMessageBox.critical(None, _("dnw-desk cannot start"), str(exc))
        print(str(exc), file=sys.stderr)
        return 2
    ui, accounts = build_ui(desk, local or load_local_settings(data_dir))
    try:
        if not first_run(ui, accounts):
            return 1
        window, session = build_window(ui, accounts)
        if ui.local.geometry:
            window.restoreGeometry(QByteArray.fromBase64(ui.local.geometry.encode()))
        else:
            window.resize(1366, 768)
        window.show()
        if os.environ.get(EXIT_WHEN_READY_ENV):
            QTimer.singleShot(0, lambda: _report_ready_and_quit(app))
        code = app.exec()
        if not session.intake.form.is_empty():
            session.intake.save_draft_now()
        geometry = bytes(window.saveGeometry().toBase64().data()).decode()
        ui.local = replace(ui.local, geometry=geometry)
        return code
    finally:
        if ui.printing is not None:
            ui.printing.shutdown()
        ui.tasks.shutdown()
        with contextlib.suppress(OSError):
            save_local_settings(data_dir, ui.local)
        desk.close()
        lock.release()
