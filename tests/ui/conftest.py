"""A logged-in desk for GUI tests: real database, synchronous task runner, Dummy printer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.domain.roles import Actor, Role
from dnw_desk.local_settings import LocalSettings
from dnw_desk.services.accounts import AccountService, NewAccount
from dnw_desk.services.desk import Desk, open_desk
from dnw_desk.services.settings import load_settings, save_settings
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.desk_session import DeskSession
from dnw_desk.ui.main_window import MainWindow
from dnw_desk.ui.screens import Screens, build_ui, build_window
from dnw_desk.ui.tasks import ImmediateTaskRunner

ADMIN = ("admin", "0800", "admin-pass")
CLERK = ("wang", "0815", "clerk-pass")
LEAD = ("li", "0801", "lead-pass")


@dataclass
class DeskHarness:
    desk: Desk
    ui: DeskUi
    accounts: AccountService
    window: MainWindow
    screens: Screens
    clock: FakeClock

    @property
    def session(self) -> DeskSession:
        return self.screens.session

    def login(self, qtbot: QtBot, login: str, password: str) -> None:
        page = self.session.login_page
        page.login_edit.setText(login)
        qtbot.keyClicks(page.password_edit, password)
        qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)

    def close(self) -> None:
        self.session.idle.stop()
        if self.ui.printing is not None:
            self.ui.printing.shutdown()  # the worker thread writes to the database
        self.desk.close()

    def count_cases(self) -> int:
        from dnw_desk.store import cases_repo

        with self.desk.db.read() as conn:
            return cases_repo.count_cases(conn)


def configured_desk(data_dir: Path, clock: FakeClock) -> Desk:
    desk = open_desk(data_dir, clock)
    accounts = AccountService(desk.db, clock)
    if accounts.has_accounts():
        return desk
    settings = replace(load_settings(desk.db), configured=True)
    save_settings(desk.db, settings, actor="test", now=clock())
    desk.reload()
    accounts.create(NewAccount(ADMIN[0], ADMIN[1], Role.ADMIN, ADMIN[2]), by=None)
    admin = Actor(ADMIN[0], ADMIN[1], Role.ADMIN)
    accounts.create(NewAccount(CLERK[0], CLERK[1], Role.CLERK, CLERK[2], "王芳"), by=admin)
    accounts.create(NewAccount(LEAD[0], LEAD[1], Role.SHIFT_LEAD, LEAD[2]), by=admin)
    return desk


def make_harness(qtbot: QtBot, data_dir: Path, printer_uri: str = "dummy") -> DeskHarness:
    clock = FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    desk = configured_desk(data_dir, clock)
    ui, accounts = build_ui(desk, LocalSettings(printer_uri=printer_uri), ImmediateTaskRunner())
    window, screens = build_window(ui, accounts)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    # Shortcuts (F9, Ctrl+S) need the window active; a harness built inside a test (not in a
    # fixture) is not always activated by the offscreen platform on its own.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return DeskHarness(desk, ui, accounts, window, screens, clock)


@pytest.fixture
def harness(qtbot: QtBot, data_dir: Path) -> Iterator[DeskHarness]:
    h = make_harness(qtbot, data_dir)
    yield h
    h.close()


@pytest.fixture
def clerk_desk(qtbot: QtBot, harness: DeskHarness) -> DeskHarness:
    harness.login(qtbot, CLERK[0], CLERK[2])
    assert harness.ui.actor is not None and harness.ui.actor.login == CLERK[0]
    return harness
