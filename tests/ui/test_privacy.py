"""While no one is logged in (login page, idle lock) no case data shows outside the locked stack:
the alert banner and its tray message wait, case dialogs step aside."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ
from tests.factories import register
from tests.ui.conftest import CLERK, LEAD, DeskHarness

WARNING_TIME = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)  # the case's warning level


class TrayRecorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, message: str, icon: Any, msecs: int) -> None:
        self.messages.append((title, message))


def test_alert_banner_is_hidden_and_inert_while_locked(qtbot: QtBot, harness: DeskHarness) -> None:
    features = harness.screens.queue
    banner, tray = features.banner, TrayRecorder()
    features.alerts.tray = tray
    opened: list[str] = []
    banner.sig_open_case.connect(opened.append)
    register(harness.desk)
    harness.clock.now = WARNING_TIME

    # On the login page a crossing is remembered but neither shown nor sent to the tray.
    features.alerts.refresh()
    assert banner.wanted and not banner.isVisibleTo(harness.window)
    assert tray.messages == []

    harness.login(qtbot, CLERK[0], CLERK[2])
    assert banner.isVisibleTo(harness.window)
    harness.session.lock()
    assert not banner.isVisibleTo(harness.window)
    qtbot.mouseClick(banner.open_button, Qt.MouseButton.LeftButton)
    banner.on_open_button_clicked()  # even if reached some other way
    assert opened == [] and features.details == []

    # Unlocked by the same clerk: back, and "Open case" works again.
    page = harness.session.login_page
    qtbot.keyClicks(page.password_edit, CLERK[2])
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)
    assert harness.ui.actor is not None and banner.isVisibleTo(harness.window)
    qtbot.mouseClick(banner.open_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1

    # Snoozed, then logged out: it does not come back by itself at the next login.
    features.alerts.on_banner_snooze()
    harness.session.show_login()
    assert not banner.isVisibleTo(harness.window)
    harness.login(qtbot, LEAD[0], LEAD[2])
    assert not banner.isVisibleTo(harness.window)


def test_case_dialogs_step_aside_on_lock(qtbot: QtBot, harness: DeskHarness) -> None:
    case_id = register(harness.desk).case.id
    harness.login(qtbot, CLERK[0], CLERK[2])
    features = harness.screens.queue
    dialog = features.open_case(case_id)
    qtbot.waitExposed(dialog)

    harness.session.lock()
    assert not dialog.isVisible()
    page = harness.session.login_page
    qtbot.keyClicks(page.password_edit, CLERK[2])
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()  # the same clerk finds it as they left it

    harness.session.lock()
    page.on_switch_clicked()  # "another user (new shift)"
    harness.login(qtbot, LEAD[0], LEAD[2])
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: features.details == [])  # closed, not handed to the next shift
