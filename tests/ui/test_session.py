"""Login per shift, the idle lock, and who may open the settings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from dnw_desk.app import first_run
from dnw_desk.clock import HALL_TZ
from dnw_desk.i18n import _
from dnw_desk.local_settings import LocalSettings, load_local_settings
from dnw_desk.services.accounts import AccountService
from dnw_desk.services.desk import open_desk
from dnw_desk.services.settings import load_settings
from dnw_desk.ui.screens import build_ui
from dnw_desk.ui.settings_dialog import SettingsDialog, SettingsResult
from dnw_desk.ui.setup_wizard import SetupWizard
from dnw_desk.ui.tasks import ImmediateTaskRunner
from tests.ui.conftest import ADMIN, CLERK, DeskHarness
from tests.ui.typing import type_text


def test_login_page_first_and_wrong_password_refused(qtbot: QtBot, harness: DeskHarness) -> None:
    session = harness.session
    assert session.pages.currentWidget() is session.login_page
    assert not session.settings_action.isEnabled()
    harness.login(qtbot, CLERK[0], "wrong")
    assert harness.ui.actor is None
    assert session.login_page.error.isVisible()
    harness.login(qtbot, CLERK[0], CLERK[2])
    assert harness.ui.actor is not None and harness.ui.actor.clerk_no == CLERK[1]
    assert session.pages.currentWidget() is session.intake
    # The person by name and number, the role by its name: never the login or a key.
    assert session.user_label.text() == f"窗口人员 王芳 · 工号 {CLERK[1]}"


def test_idle_lock_and_unlock_with_the_same_password(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    session = clerk_desk.session
    form = session.intake.form
    type_text(qtbot, form.edits["name"], "孙八")
    session.idle.set_timeout_ms(150)  # the setting is in minutes; a test cannot wait that long
    session.idle.start()
    qtbot.waitUntil(lambda: session.locked, timeout=3000)
    assert session.pages.currentWidget() is session.login_page
    assert not session.intake.isVisible()  # nothing personal shows on a locked desk
    page = session.login_page
    assert page.login_edit.isReadOnly() and page.login_edit.text() == CLERK[0]
    assert not session.register_action.isEnabled()
    qtbot.keyClicks(page.password_edit, "not-it")
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)
    assert session.locked and page.error.isVisible()
    qtbot.keyClicks(page.password_edit, CLERK[2])
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)
    assert not session.locked
    assert session.pages.currentWidget() is session.intake
    assert form.text("name") == "孙八"  # the registration in progress is still there


def test_idle_lock_follows_the_setting(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    assert clerk_desk.session.idle.timer.interval() == 10 * 60_000


def test_clerk_cannot_open_admin_settings(
    qtbot: QtBot, clerk_desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = clerk_desk.session
    assert not session.settings_action.isEnabled()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    opened: list[object] = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: opened.append(self))
    assert SettingsDialog.ask(clerk_desk.ui, clerk_desk.window) is None
    assert not session.open_settings()
    assert warned and not opened


def test_admin_changes_settings(
    qtbot: QtBot, harness: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.login(qtbot, ADMIN[0], ADMIN[2])
    session = harness.session
    assert session.settings_action.isEnabled()
    dialog = SettingsDialog(harness.ui, harness.accounts, harness.window)
    qtbot.addWidget(dialog)
    dialog.window_no.setText("12")
    dialog.idle_minutes.setValue(3)
    dialog.units_edit.setPlainText("省公安厅\n省人社厅\n")
    dialog.printer_uri.setText("preview")
    result, errors = dialog.collect()
    assert errors == [] and isinstance(result, SettingsResult)
    monkeypatch.setattr(SettingsDialog, "ask", classmethod(lambda cls, *a, **k: result))
    assert session.open_settings()
    stored = load_settings(harness.desk.db)
    assert stored.window_no == "12" and stored.units == ("省公安厅", "省人社厅")
    assert session.idle.timer.interval() == 3 * 60_000
    assert session.intake.form.units == ("省公安厅", "省人社厅")
    assert load_local_settings(harness.desk.data_dir).printer_uri == "preview"
    dialog.hall_code.setText("ah-1")
    dialog.opening_hours.setText("9-12")
    _result, errors = dialog.collect()
    assert len(errors) == 2


def test_a_unit_list_the_server_keeps_is_read_only_here(qtbot: QtBot, harness: DeskHarness) -> None:
    from dnw_desk.services.settings import save_settings, with_server_units

    desk = harness.desk
    synced = with_server_units(load_settings(desk.db), [("省公安厅", 3), ("省教育厅", 4)])
    save_settings(desk.db, synced, actor="system:sync", now=desk.clock())
    desk.reload()
    harness.login(qtbot, ADMIN[0], ADMIN[2])
    dialog = SettingsDialog(harness.ui, harness.accounts, harness.window)
    qtbot.addWidget(dialog)
    assert dialog.units_edit.isReadOnly()
    assert dialog.units_edit.toPlainText() == "省公安厅\n省教育厅"
    result, errors = dialog.collect()
    assert errors == [] and isinstance(result, SettingsResult)
    assert result.business.unit_ids == (("省公安厅", 3), ("省教育厅", 4))


def test_admin_adds_a_clerk_account(qtbot: QtBot, harness: DeskHarness) -> None:
    harness.login(qtbot, ADMIN[0], ADMIN[2])
    dialog = SettingsDialog(harness.ui, harness.accounts, harness.window)
    qtbot.addWidget(dialog)
    dialog.accounts_tab.new_login.setText("zhao")
    dialog.accounts_tab.new_clerk_no.setText("0820")
    dialog.accounts_tab.new_password.setText("zhao-pass")
    dialog.accounts_tab.on_add_account_clicked()
    assert dialog.accounts_tab.account_table.rowCount() == 4
    assert harness.accounts.authenticate("zhao", "zhao-pass").clerk_no == "0820"


def test_setup_wizard_creates_admin_and_settings(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = open_desk(data_dir)
    ui, accounts = build_ui(desk, LocalSettings(), ImmediateTaskRunner())
    wizard = SetupWizard(ui)
    qtbot.addWidget(wizard)
    wizard.admin_page.clerk_no.setText("0800")
    wizard.admin_page.password.setText("admin-pass")
    wizard.admin_page.repeat.setText("admin-pass-typo")
    assert wizard.admin_page.check() == [wizard.admin_page.check()[0]]
    wizard.admin_page.repeat.setText("admin-pass")
    assert wizard.admin_page.check() == []
    wizard.hall_page.hall_code.setText("qd")
    wizard.hall_page.window_no.setText("3")
    wizard.hall_page.hall_name.setText("青岛市民中心")
    assert wizard.hall_page.check() == []
    wizard.units_page.units.setPlainText("市公安局\n市市场监管局")
    wizard.printer_page.uri.setText("dummy")
    wizard.printer_page.on_test_clicked()
    assert ui.printing is not None and len(bytes(ui.printing.dummy.output)) > 1000  # test page
    assert wizard.printer_page.test_result.text() == _("Test page sent. Check the printout.")
    result = wizard.result_value()
    monkeypatch.setattr(SetupWizard, "ask", classmethod(lambda cls, *a, **k: result))
    assert first_run(ui, accounts)
    settings = load_settings(desk.db)
    assert settings.configured and settings.hall_code == "QD" and settings.window_no == "3"
    assert settings.units == ("市公安局", "市市场监管局")
    assert AccountService(desk.db).authenticate("admin", "admin-pass").role.value == "admin"
    assert load_local_settings(data_dir).printer_uri == "dummy"
    assert ui.local.last_login == "admin"
    desk.close()


def test_a_manual_lock_says_who_locked_it(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    """Issue 11, defect 14: Ctrl+L said the desk had locked itself after a pause."""
    session = clerk_desk.session
    session.lock_action.trigger()
    assert session.locked
    text = session.login_page.subtitle.text()
    assert "已锁定窗口" in text and "长时间无操作" not in text


def test_the_next_user_sees_nothing_of_the_last_case_and_nothing_prints_logged_out(
    qtbot: QtBot, clerk_desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defects 15 and 16: the last-case panel carried over after 交班退出; retry and reprint
    printed citizens' receipts with nobody logged in."""
    from tests.factories import register

    session, intake = clerk_desk.session, clerk_desk.session.intake
    intake.on_case_saved(register(clerk_desk.desk), None)
    assert intake.last_panel.reprint_button.isEnabled()
    status = session.printer_status
    assert status is not None and status.logged_in
    session.logout_action.trigger()
    assert intake.last_case is None and intake.last_panel.number.text() == "—"
    assert not intake.last_panel.reprint_button.isEnabled()
    assert not status.logged_in
    assert not status.retry_button.isVisibleTo(clerk_desk.window)
    assert not status.reprint_button.isVisibleTo(clerk_desk.window)
    printing = clerk_desk.ui.printing
    assert printing is not None
    sent: list[object] = []
    monkeypatch.setattr(printing.tasks, "run", lambda *args, **kwargs: sent.append(args))
    printing.retry_jobs(["job"])  # refused: nobody is logged in
    assert sent == []


def test_enter_in_the_clear_confirmation_keeps_the_form(qtbot: QtBot) -> None:
    """Defect 25: 清空 was the default button, so Enter cleared the form."""
    from dnw_desk.ui.confirm_dialog import ConfirmDialog

    dialog = ConfirmDialog(
        None, "清空", "清空本次填写的内容？", "清空", "继续填写", destructive=True
    )
    qtbot.addWidget(dialog)
    dialog.open()  # not exec(): the test keeps control
    qtbot.waitExposed(dialog)
    assert dialog.defaultButton() is dialog.no_button
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.clickedButton() is dialog.no_button


def test_exit_with_unprinted_receipts_says_so_and_offers_to_stay(
    qtbot: QtBot, clerk_desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 24: Ctrl+Q quit at once with unsynced changes and queued print jobs."""
    window = clerk_desk.window
    asked: list[list[str]] = []
    monkeypatch.setattr(window, "confirm_quit", lambda pending: asked.append(pending) or False)
    window.quit_action.trigger()  # Ctrl+Q: nothing pending, no question
    assert not window.isVisible() and asked == []
    window.show()
    printing = clerk_desk.ui.printing
    assert printing is not None
    printing.open_jobs = [object()]  # type: ignore[list-item]
    window.quit_action.trigger()
    assert window.isVisible()  # stayed
    assert asked == [["打印队列中还有 1 个打印任务"]]
    printing.open_jobs = []


def test_an_idle_printer_that_went_away_shows_in_the_status_bar(
    qtbot: QtBot, clerk_desk: DeskHarness
) -> None:
    """Defects 17 and 18: "打印机：就绪" stayed after the printer went away; a long message was
    cut at 1366 px with no way to read it."""
    printing, status = clerk_desk.ui.printing, clerk_desk.session.printer_status
    assert printing is not None and status is not None
    assert printing.watch_timer.isActive()
    printing.configure("tcp://127.0.0.1:9", "80mm")  # nothing listens there
    printing.check_idle_printer()
    qtbot.waitUntil(lambda: status.label.text() != "打印机：就绪", timeout=15_000)
    assert status.label.text().startswith("打印机：")
    assert status.label.toolTip() == status.label.text()
    assert "refused" not in status.label.text().lower()  # no raw OS text


def test_after_login_and_f2_typing_starts_in_the_name(qtbot: QtBot, harness: DeskHarness) -> None:
    """Defect 13: after login and after F2 the typed text was lost."""
    harness.login(qtbot, CLERK[0], CLERK[2])
    form = harness.session.intake.form
    qtbot.waitUntil(lambda: form.edits["name"].hasFocus(), timeout=3000)
    qtbot.keyClicks(QApplication.focusWidget(), "Wang")
    assert form.text("name") == "Wang"
    harness.session.pages.setCurrentIndex(0)
    harness.session.register_action.trigger()
    qtbot.waitUntil(lambda: form.edits["name"].hasFocus(), timeout=3000)


def test_the_wizard_s_unit_list_can_be_left_by_keyboard(qtbot: QtBot, data_dir: Path) -> None:
    """Walkthrough finding: Tab and Return in the unit list stayed in the text box."""
    from PySide6.QtWidgets import QPlainTextEdit, QWizard

    desk = open_desk(data_dir)
    ui, _accounts = build_ui(desk, LocalSettings(), ImmediateTaskRunner())
    wizard = SetupWizard(ui)
    qtbot.addWidget(wizard)
    units = wizard.findChild(QPlainTextEdit, "units")
    assert units is not None and units.tabChangesFocus()
    # Tab out of the list reaches "Next" (Return there goes on), not "Back".
    wizard.setStartId(wizard.pageIds()[3])
    wizard.restart()
    wizard.show()
    units.setFocus()
    qtbot.keyClick(units, Qt.Key.Key_Tab)
    assert wizard.focusWidget() is wizard.button(QWizard.WizardButton.NextButton)
    desk.close()


def test_the_hall_page_shows_this_window_s_own_number_format(qtbot: QtBot, data_dir: Path) -> None:
    """Walkthrough finding: the wizard and the settings offered AH08-… to hall HF window 3."""
    desk = open_desk(data_dir)
    ui, _accounts = build_ui(desk, LocalSettings(), ImmediateTaskRunner())
    wizard = SetupWizard(ui)
    qtbot.addWidget(wizard)
    page = wizard.hall_page
    page.hall_code.setText("hf")
    page.window_no.setText("3")
    today = f"{datetime.now(HALL_TZ):%Y%m%d}"
    assert f"HF03-{today}-0001" in page.example.text()
    assert "AH08" not in page.example.text()
    page.hall_code.setText("H-1")
    assert "HF03" not in page.example.text() and "-" not in page.example.text()
    desk.close()
