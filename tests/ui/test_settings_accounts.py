"""The admin manages existing accounts in the settings dialog (issue 11, defect 8)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dnw_desk.i18n import _
from dnw_desk.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import ADMIN, CLERK, DeskHarness


def _select_account(dialog: SettingsDialog, login: str) -> None:
    row = next(i for i, a in enumerate(dialog.accounts_tab.account_rows) if a.login == login)
    dialog.accounts_tab.account_table.selectRow(row)


def _status_of(dialog: SettingsDialog, login: str) -> str:
    row = next(i for i, a in enumerate(dialog.accounts_tab.account_rows) if a.login == login)
    item = dialog.accounts_tab.account_table.item(row, 4)
    assert item is not None
    return item.text()


def test_admin_manages_existing_accounts(qtbot: QtBot, harness: DeskHarness) -> None:
    harness.login(qtbot, ADMIN[0], ADMIN[2])
    dialog = SettingsDialog(harness.ui, harness.accounts, harness.window)
    qtbot.addWidget(dialog)
    tab = dialog.accounts_tab
    assert tab is not None
    assert not tab.account_actions.isEnabled()  # nothing selected yet
    _select_account(dialog, CLERK[0])
    assert tab.active_button.text() == _("Disable")
    tab.reset_password.setText("new-clerk-pass")
    tab.on_reset_password_clicked()
    assert harness.accounts.authenticate(CLERK[0], "new-clerk-pass").login == CLERK[0]
    tab.edit_role.setCurrentIndex(tab.edit_role.findData("shift_lead"))
    tab.on_change_role_clicked()
    assert harness.accounts.authenticate(CLERK[0], "new-clerk-pass").role.value == "shift_lead"
    tab.on_active_clicked()
    assert _status_of(dialog, CLERK[0]) == _("Disabled")
    assert tab.active_button.text() == _("Enable")  # the selection survived the reload
    _select_account(dialog, ADMIN[0])
    tab.on_active_clicked()
    assert tab.account_error.text() == _("The last active admin cannot be disabled.")
    assert _status_of(dialog, ADMIN[0]) == _("Active")


def test_a_disabled_account_is_told_so_at_login(qtbot: QtBot, harness: DeskHarness) -> None:
    admin = harness.accounts.authenticate(ADMIN[0], ADMIN[2])
    harness.accounts.set_active(CLERK[0], False, by=admin)
    harness.login(qtbot, CLERK[0], CLERK[2])
    assert harness.ui.actor is None
    page = harness.session.login_page
    assert page.error.text() == _(
        "This account is disabled. Ask an admin of this desk to enable it."
    )


def test_a_new_account_gets_the_person_s_name(qtbot: QtBot, harness: DeskHarness) -> None:
    """Walkthrough finding: the form had no name, so the desk could only show logins."""
    harness.login(qtbot, ADMIN[0], ADMIN[2])
    dialog = SettingsDialog(harness.ui, harness.accounts, harness.window)
    qtbot.addWidget(dialog)
    tab = dialog.accounts_tab
    tab.new_login.setText("zhaomin")
    tab.new_display_name.setText("赵敏")
    tab.new_clerk_no.setText("0820")
    tab.new_password.setText("zhaomin-pass-1")
    tab.on_add_account_clicked()
    assert tab.account_error.text() == ""
    row = next(i for i, a in enumerate(tab.account_rows) if a.login == "zhaomin")
    name = tab.account_table.item(row, 1)
    assert name is not None and name.text() == "赵敏"
    assert harness.accounts.authenticate("zhaomin", "zhaomin-pass-1").display_name == "赵敏"


def test_enter_in_the_new_account_form_adds_it_and_keeps_the_dialog(
    qtbot: QtBot, harness: DeskHarness
) -> None:
    """Walkthrough finding: Enter in the password field pressed the dialog's "Save", which
    closed the settings and dropped the account typed."""
    harness.login(qtbot, ADMIN[0], ADMIN[2])
    dialog = SettingsDialog(harness.ui, harness.accounts, harness.window)
    qtbot.addWidget(dialog)
    dialog.show()
    tab = dialog.accounts_tab
    dialog.tabs.setCurrentWidget(tab)
    tab.new_login.setText("zhouli")
    tab.new_clerk_no.setText("0821")
    tab.new_password.setText("zhouli-pass-1")
    qtbot.keyClick(tab.new_password, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert any(account.login == "zhouli" for account in tab.account_rows)
