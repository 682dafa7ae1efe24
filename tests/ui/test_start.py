"""Start-up in two steps: the window with its login page at once, the database on the DB lane."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dnw_desk.app import DeskStart, start_window
from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.local_settings import LocalSettings
from dnw_desk.store.schema import InstanceLock, ensure_data_dir
from tests.ui.conftest import CLERK, configured_desk

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **extra}


def _hold_the_open(monkeypatch) -> threading.Event:  # type: ignore[no-untyped-def]
    """The database open waits on the DB lane until the event is set."""
    import dnw_desk.app

    go_on = threading.Event()
    real_open = dnw_desk.app.open_data_dir

    def held_open(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert go_on.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(dnw_desk.app, "open_data_dir", held_open)
    return go_on


def test_start_window_loads_no_database_nor_report_libraries() -> None:
    code = (
        "import sys\n"
        "from dnw_desk.cli import build_parser\n"
        "build_parser(with_commands=False).parse_known_args([])\n"
        "build_parser()\n"  # even the whole command line stays light
        "from PySide6.QtWidgets import QApplication\n"
        "from dnw_desk.app import start_window\n"
        "from dnw_desk.ui.look import setup_qt_look\n"
        "from dnw_desk.local_settings import LocalSettings\n"
        "app = QApplication([])\n"
        "setup_qt_look(app, 'zh_CN', False, fonts_in_background=True)\n"
        "start_window(LocalSettings()).show()\n"
        "heavy = ('sqlalchemy', 'alembic', 'reportlab', 'escpos', 'openpyxl')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_login_typed_while_the_database_opens_is_kept(qtbot: QtBot, data_dir: Path) -> None:
    from PySide6.QtWidgets import QApplication

    configured_desk(data_dir, FakeClock(START)).close()
    window = start_window(LocalSettings())
    qtbot.addWidget(window)
    window.show()
    page = window.login_page
    assert page is not None
    assert not page.login_button.isEnabled()
    window.activateWindow()
    qtbot.waitActive(window)
    page.login_edit.setFocus()
    qtbot.keyClicks(page.login_edit, CLERK[0])  # before the database is open
    app = QApplication.instance()
    start = DeskStart(app, window, data_dir, LocalSettings())  # type: ignore[arg-type]
    start.start()
    try:
        qtbot.waitUntil(lambda: start.screens is not None, timeout=20_000)
        assert page.login_edit.text() == CLERK[0]
        assert page.login_button.isEnabled()
        # The keys go on where the clerk was typing, not to a hidden field built meanwhile.
        assert window.focusWidget() is page.login_edit
        qtbot.keyClicks(page.password_edit, CLERK[2])
        page.on_login_clicked()
        qtbot.waitUntil(lambda: start.ui is not None and start.ui.actor is not None)
        assert start.screens is not None
        assert window.pages.currentWidget() is start.screens.session.intake
    finally:
        start.shut_down()


def test_second_instance_says_so_and_exits_non_zero(data_dir: Path) -> None:
    ensure_data_dir(data_dir)
    lock = InstanceLock(data_dir)
    lock.acquire()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "dnw_desk", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(DNW_EXIT_WHEN_READY="1"),  # no modal dialog in a test
        )
    finally:
        lock.release()
    assert result.returncode == 2
    assert str(os.getpid()) in result.stderr  # "already running … (process <pid>)"
    assert "DNW-READY" in result.stdout and "DNW-LOGIN-READY" not in result.stdout


def test_start_reports_ready_then_login_ready_then_screens_ready(data_dir: Path) -> None:
    configured_desk(data_dir, FakeClock(START)).close()
    result = subprocess.run(
        [sys.executable, "-m", "dnw_desk", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(DNW_EXIT_WHEN_READY="1"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["DNW-READY", "DNW-LOGIN-READY", "DNW-SCREENS-READY"]


def test_the_first_run_wizard_does_not_say_the_database_is_still_opening(
    qtbot: QtBot, data_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from dnw_desk.ui.setup_wizard import SetupWizard

    window = start_window(LocalSettings())
    qtbot.addWidget(window)
    window.show()
    shown: list[str] = []

    def ask(cls, ui):  # type: ignore[no-untyped-def]
        shown.append(window.statusBar().currentMessage())
        return None  # the admin cancels

    monkeypatch.setattr(SetupWizard, "ask", classmethod(ask))

    class App:
        code: int | None = None

        def exit(self, code: int) -> None:
            self.code = code

    app = App()
    start = DeskStart(app, window, data_dir, LocalSettings())  # type: ignore[arg-type]
    start.start()
    try:
        qtbot.waitUntil(lambda: app.code is not None, timeout=20_000)
        assert shown == [""]  # not "正在打开数据库…" behind the wizard
    finally:
        start.shut_down()


def test_enter_pressed_while_the_database_opens_logs_in_once_it_is_open(
    qtbot: QtBot, data_dir: Path
) -> None:
    configured_desk(data_dir, FakeClock(START)).close()
    window = start_window(LocalSettings())
    qtbot.addWidget(window)
    window.show()
    page = window.login_page  # type: ignore[attr-defined]
    qtbot.keyClicks(page.login_edit, CLERK[0])
    qtbot.keyClicks(page.password_edit, CLERK[2])
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)  # before the database is open
    assert page.error.isVisibleTo(page)  # says it will log in, rather than nothing
    app = QApplication.instance()
    start = DeskStart(app, window, data_dir, LocalSettings())  # type: ignore[arg-type]
    start.start()
    try:
        qtbot.waitUntil(lambda: start.ui is not None and start.ui.actor is not None, timeout=20_000)
        assert start.screens is not None
        assert window.pages.currentWidget() is start.screens.session.intake
    finally:
        start.shut_down()


def test_the_login_is_possible_before_the_database_is_open(
    qtbot: QtBot, data_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Checked with plain sqlite3 while the rest loads; the attempts are recorded afterwards."""

    from sqlalchemy import select

    from dnw_desk.i18n import _
    from dnw_desk.store.tables import audit_log

    configured_desk(data_dir, FakeClock(START)).close()
    go_on = _hold_the_open(monkeypatch)
    window = start_window(LocalSettings())
    qtbot.addWidget(window)
    window.show()
    page = window.login_page
    assert page is not None
    app = QApplication.instance()
    start = DeskStart(app, window, data_dir, LocalSettings())  # type: ignore[arg-type]
    start.start()
    try:
        qtbot.waitUntil(page.login_button.isEnabled, timeout=20_000)
        assert start.ui is None  # the database is not open yet
        page.login_edit.setText(CLERK[0])
        page.password_edit.setText("wrong-pass")
        page.on_login_clicked()
        qtbot.waitUntil(lambda: page.error.text() != "", timeout=20_000)
        assert _("Wrong login or password.") in page.error.text()
        page.password_edit.setText(CLERK[2])
        page.on_login_clicked()
        qtbot.waitUntil(lambda: page.password_edit.text() == "", timeout=20_000)
        assert not page.login_button.isEnabled()  # in, waiting for the screens
        assert start.ui is None
        go_on.set()
        qtbot.waitUntil(lambda: start.ui is not None and start.ui.actor is not None, timeout=20_000)
        assert start.ui.actor.login == CLERK[0]
        assert start.screens is not None
        assert window.pages.currentWidget() is start.screens.session.intake

        def logins() -> list[str]:
            assert start.ui is not None
            with start.ui.desk.db.read() as conn:
                actions = conn.execute(select(audit_log.c.action)).scalars()
                return [a for a in actions if a.startswith("account.login")]

        qtbot.waitUntil(lambda: len(logins()) == 2, timeout=20_000)
        assert logins() == ["account.login_failed", "account.login"]
    finally:
        go_on.set()
        start.shut_down()


def test_an_older_database_says_it_is_upgrading_while_it_opens(
    qtbot: QtBot, data_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The upgrade of a big file takes a minute or two, once: the status bar, and the login
    page of a clerk who logged in meanwhile, say so instead of "opening"."""
    import dnw_desk.store.early_login
    from dnw_desk.ui.main_window import opening_message

    configured_desk(data_dir, FakeClock(START)).close()
    monkeypatch.setattr(dnw_desk.store.early_login, "needs_upgrade", lambda _dir: True)
    go_on = _hold_the_open(monkeypatch)
    window = start_window(LocalSettings())
    qtbot.addWidget(window)
    window.show()
    window.show_opening()
    page = window.login_page
    assert page is not None
    assert window.statusBar().currentMessage() == opening_message(upgrading=False)
    start = DeskStart(QApplication.instance(), window, data_dir, LocalSettings())  # type: ignore[arg-type]
    start.start()
    try:
        upgrading = opening_message(upgrading=True)
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() == upgrading, timeout=20_000)
        qtbot.waitUntil(page.login_button.isEnabled, timeout=20_000)
        page.login_edit.setText(CLERK[0])
        page.password_edit.setText(CLERK[2])
        page.on_login_clicked()
        qtbot.waitUntil(lambda: upgrading in page.subtitle.text(), timeout=20_000)
        go_on.set()
        qtbot.waitUntil(lambda: start.screens is not None, timeout=20_000)
        assert window.statusBar().currentMessage() != upgrading
    finally:
        go_on.set()
        start.shut_down()


@pytest.fixture
def gc_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the desk asks of the garbage collector, in order (none of it done), with the
    screens not frozen yet in this process."""
    import gc

    from dnw_desk.ui import screens

    calls: list[str] = []

    def collect() -> int:
        calls.append("collect")
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "enable", lambda: calls.append("enable"))
    monkeypatch.setattr(screens, "_screens_frozen", False)
    return calls


def test_the_start_up_heap_is_frozen_once(gc_calls: list[str]) -> None:
    """Full garbage collections do not walk what start-up built (it lives as long as the
    desk); a reopened desk's screens are not frozen again."""
    from dnw_desk.ui import screens

    screens.freeze_start_up_heap()
    screens.freeze_start_up_heap()
    assert gc_calls == ["collect", "freeze"]  # the garbage collected first: none of it is kept


def test_the_screens_are_frozen_after_the_imports_were(gc_calls: list[str]) -> None:
    """The desk freezes its imports once the window shows (``_started``), before the database
    is open; the screens built after the login are frozen too, not skipped as already done."""
    from dnw_desk import app
    from dnw_desk.ui import screens

    app._started()
    screens.freeze_start_up_heap()
    assert gc_calls == ["freeze", "enable", "collect", "freeze"]
