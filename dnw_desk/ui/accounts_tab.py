"""The settings' Accounts tab: the admin adds accounts and, for the one selected, changes its
role, disables or enables it, or resets its password. Every change runs off the GUI thread
through ``AccountService``, which audits it and refuses what would leave no active admin."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.roles import ROLE_LABELS, Actor, Role
from dnw_desk.i18n import _
from dnw_desk.services.accounts import AccountService, NewAccount
from dnw_desk.store.accounts import AccountRow
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.widgets import EnterSubmits, button, error_label, hbox, show_error, vbox


class AccountsTab(QWidget):
    def __init__(self, ui: DeskUi, accounts: AccountService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.accounts = accounts
        self.account_rows: list[AccountRow] = []
        self.account_table = QTableWidget(0, 6)
        self.account_table.setHorizontalHeaderLabels(
            [_("Login"), _("Name"), _("Clerk no."), _("Role"), _("Status"), _("Last login")]
        )
        self.account_table.horizontalHeader().setStretchLastSection(True)
        self.account_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.account_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.account_table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.account_table.itemSelectionChanged.connect(self.on_account_selection_changed)
        self.new_login = QLineEdit()
        # The person's name: the status bar, timelines and PDFs name people, not logins.
        self.new_display_name = QLineEdit()
        self.new_display_name.setObjectName("newDisplayName")
        self.new_clerk_no = QLineEdit()
        self.new_role = self._role_combo()
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.account_error = error_label()
        add = button(_("Add account"), self.on_add_account_clicked)
        form = QFormLayout()
        form.addRow(_("Login"), self.new_login)
        form.addRow(_("Name"), self.new_display_name)
        form.addRow(_("Clerk no."), self.new_clerk_no)
        form.addRow(_("Role"), self.new_role)
        form.addRow(_("Password"), self.new_password)
        self._enter_adds = EnterSubmits(
            self.on_add_account_clicked,
            self.new_login,
            self.new_display_name,
            self.new_clerk_no,
            self.new_role,
            self.new_password,
        )
        self.setLayout(
            vbox(
                self.account_table,
                self._selected_account_box(),
                form,
                self.account_error,
                hbox(None, add),
                margin=8,
            )
        )
        self.reload_accounts()

    def _role_combo(self) -> QComboBox:
        combo = QComboBox()
        for role in Role:
            combo.addItem(_(ROLE_LABELS[role]), role.value)
        return combo

    def _selected_account_box(self) -> QGroupBox:
        """What the admin can do to the account selected in the table."""
        self.edit_role = self._role_combo()
        self.change_role_button = button(_("Change role"), self.on_change_role_clicked)
        self.active_button = button(_("Disable"), self.on_active_clicked)
        self.reset_password = QLineEdit()
        self.reset_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset_password.setPlaceholderText(_("New password"))
        self.reset_button = button(_("Reset password"), self.on_reset_password_clicked)
        self._enter_resets = EnterSubmits(self.on_reset_password_clicked, self.reset_password)
        box = QGroupBox(_("Selected account"))
        box.setLayout(
            hbox(
                self.edit_role,
                self.change_role_button,
                self.active_button,
                12,
                self.reset_password,
                self.reset_button,
                margin=8,
            )
        )
        self.account_actions = box
        box.setEnabled(False)
        return box

    def reload_accounts(self) -> None:
        accounts = self.accounts
        self.ui.tasks.run(accounts.list, self._show_accounts)

    def _show_accounts(self, rows: list[AccountRow]) -> None:
        selected = self.selected_account()
        self.account_rows = rows
        self.account_table.setRowCount(0)
        for account in rows:
            row = self.account_table.rowCount()
            self.account_table.insertRow(row)
            last = f"{account.last_login_at:%Y-%m-%d %H:%M}" if account.last_login_at else "—"
            status = _("Active") if account.active else _("Disabled")
            for column, text in enumerate(
                (
                    account.login,
                    account.display_name or "—",
                    account.clerk_no,
                    _(ROLE_LABELS[account.role]),
                    status,
                    last,
                )
            ):
                self.account_table.setItem(row, column, QTableWidgetItem(text))
            if selected is not None and account.login == selected.login:
                self.account_table.selectRow(row)
        self.on_account_selection_changed()

    def selected_account(self) -> AccountRow | None:
        rows = {index.row() for index in self.account_table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.account_rows[row] if row < len(self.account_rows) else None

    @Slot()
    def on_account_selection_changed(self) -> None:
        account = self.selected_account()
        self.account_actions.setEnabled(account is not None)
        if account is None:
            return
        self.edit_role.setCurrentIndex(self.edit_role.findData(account.role.value))
        self.active_button.setText(_("Disable") if account.active else _("Enable"))

    def _change_account(self, change: Callable[[AccountService, Actor], object]) -> None:
        """Run an admin's change to the selected account off the GUI thread, then reload."""
        accounts, actor = self.accounts, self.ui.actor
        if actor is None:
            return

        def done(_changes: object) -> None:
            show_error(self.account_error, "")
            self.reset_password.clear()
            self.reload_accounts()

        self.ui.tasks.run(lambda: change(accounts, actor), done, self._account_failed)

    def _account_failed(self, error: BaseException) -> None:
        if isinstance(error, FieldErrors):
            show_error(self.account_error, " ".join(error.errors.values()))
        elif isinstance(error, DomainError):
            show_error(self.account_error, str(error))
        else:
            show_error(self.account_error, _("The account could not be changed."))

    @Slot()
    def on_change_role_clicked(self) -> None:
        account, role = self.selected_account(), Role(self.edit_role.currentData())
        if account is not None:
            self._change_account(lambda a, by: a.change_role(account.login, role, by))

    @Slot()
    def on_active_clicked(self) -> None:
        account = self.selected_account()
        if account is not None:
            active = not account.active
            self._change_account(lambda a, by: a.set_active(account.login, active, by))

    @Slot()
    def on_reset_password_clicked(self) -> None:
        account, password = self.selected_account(), self.reset_password.text()
        if account is not None:
            self._change_account(lambda a, by: a.reset_password(account.login, password, by))

    @Slot()
    def on_add_account_clicked(self) -> None:
        account = NewAccount(
            self.new_login.text(),
            self.new_clerk_no.text(),
            Role(self.new_role.currentData()),
            self.new_password.text(),
            self.new_display_name.text(),
        )
        accounts, actor = self.accounts, self.ui.actor

        def done(_changes: object) -> None:
            show_error(self.account_error, "")
            for edit in (
                self.new_login,
                self.new_display_name,
                self.new_clerk_no,
                self.new_password,
            ):
                edit.clear()
            self.reload_accounts()

        self.ui.tasks.run(lambda: accounts.create(account, actor), done, self._account_failed)
