"""Who is at the counter: login per shift, the idle lock, settings, and the intake screen.

Installed into the main window by the composition root (``install``): it adds the login and
intake pages to the window's stack, drives the *Desk* menu's actions (declared in ``ui/menus.py``)
and shows the printer state in the status bar, so the shared ``MainWindow`` needs no knowledge of
accounts or locking.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from dnw_desk.domain.roles import Actor, Permission, may
from dnw_desk.i18n import _
from dnw_desk.local_settings import LocalSettings, save_local_settings
from dnw_desk.services.accounts import AccountService
from dnw_desk.services.changes import Changes
from dnw_desk.services.people import actor_label
from dnw_desk.services.settings import BusinessSettings, save_settings
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.idle_lock import IdleLock
from dnw_desk.ui.intake.page import IntakePage
from dnw_desk.ui.login_page import LoginPage
from dnw_desk.ui.main_window import MainWindow
from dnw_desk.ui.printer_status import PrinterStatus
from dnw_desk.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)


class DeskSession(QObject):
    sig_actor_changed = Signal(object)
    """The logged-in ``Actor`` (None when logged out or locked)."""

    def __init__(self, window: MainWindow, ui: DeskUi, accounts: AccountService) -> None:
        super().__init__(window)
        self.window = window
        self.ui = ui
        self.accounts = accounts
        self.pages = window.pages
        # The start-up window shows its login page before the database is open (the clerk may
        # be typing in it already): take that one over instead of building another.
        adopted = window.login_page
        self.login_page = adopted if adopted is not None else LoginPage()
        self.login_page.attach(ui, accounts)
        self.intake = IntakePage(ui)
        if adopted is None:
            self.pages.addWidget(self.login_page)
        self.pages.addWidget(self.intake)
        self.idle = IdleLock(ui.desk.settings.idle_lock_minutes, self)
        self.locked = False
        self._drafts_offered = False
        self._hidden_page: QWidget | None = None
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        window.statusBar().insertPermanentWidget(0, self.user_label)
        self.printer_status: PrinterStatus | None = None
        if ui.printing is not None:
            self.printer_status = PrinterStatus(ui.printing)
            window.statusBar().addWidget(self.printer_status, 1)
            window.quit_checks.append(self._unprinted_summary)
        self._build_menu()
        self._connect_signals()
        self.show_login(keep_typed=adopted is not None)

    def _build_menu(self) -> None:
        menus = self.window.menus
        self.menu = menus.menu("desk")
        self.register_action = menus.action("register")
        self.lock_action = menus.action("lock")
        self.logout_action = menus.action("logout")
        self.settings_action = menus.action("settings")

    def _connect_signals(self) -> None:
        self.login_page.sig_logged_in.connect(self.on_login_page_logged_in)
        self.idle.sig_idle.connect(self.on_idle_idle)
        self.register_action.triggered.connect(self.on_register_triggered)
        self.lock_action.triggered.connect(self.on_lock_triggered)
        self.logout_action.triggered.connect(self.on_logout_triggered)
        self.settings_action.triggered.connect(self.on_settings_triggered)
        self.ui.bus.sig_changed.connect(self.on_bus_changed)
        if self.printer_status is not None:
            self.printer_status.reprint_button.clicked.connect(self.intake.on_reprint_clicked)

    def _unprinted_summary(self) -> str | None:
        jobs = self.ui.printing.open_jobs if self.ui.printing is not None else []
        if not jobs:
            return None
        return _("{count} print job(s) still in the print queue").format(count=len(jobs))

    # --- logging in and out ------------------------------------------------------------

    def show_login(self, keep_typed: bool = False) -> None:
        self._cover()
        self.ui.actor = None
        self.intake.forget_last_case()
        self.locked = False
        if not keep_typed:
            self.login_page.show_login(self.ui.local.last_login)
        self._actor_changed()

    def _cover(self) -> None:
        """Hide whatever screen shows behind the login page; menus off except File/Help."""
        current = self.pages.currentWidget()
        if current is not self.login_page:
            self._hidden_page = current
        self.pages.setCurrentWidget(self.login_page)
        self.idle.stop()
        for action in (
            self.register_action,
            self.lock_action,
            self.logout_action,
            self.settings_action,
        ):
            action.setEnabled(False)
        self.window.menus.set_enabled(False)
        self.menu.menuAction().setEnabled(True)  # its actions are switched one by one

    def _uncover(self) -> None:
        self.window.menus.set_enabled(True)
        actor = self.ui.actor
        assert actor is not None
        self.register_action.setEnabled(may(actor.role, Permission.REGISTER))
        self.lock_action.setEnabled(True)
        self.logout_action.setEnabled(True)
        self.settings_action.setEnabled(may(actor.role, Permission.ADMINISTER))
        page = (
            self._hidden_page if self._hidden_page not in (None, self.login_page) else self.intake
        )
        self.pages.setCurrentWidget(page)
        self.idle.start()

    @Slot(object)
    def on_login_page_logged_in(self, actor: Actor) -> None:
        was_locked = self.locked
        if was_locked and self.login_page.locked_actor != actor:
            self.intake.forget_last_case()  # another user took over the locked desk
        self.locked = False
        self.ui.actor = actor
        if not was_locked:
            self._hidden_page = self.intake
        self._uncover()
        self._actor_changed()
        if self.ui.local.last_login != actor.login:
            self.save_local(replace(self.ui.local, last_login=actor.login))
        can_register = may(actor.role, Permission.REGISTER)
        self.intake.setEnabled(can_register)
        if can_register and self.pages.currentWidget() is self.intake:
            self.focus_intake()
        if not self._drafts_offered and can_register:
            self._drafts_offered = True
            self.intake.offer_draft()

    def _actor_changed(self) -> None:
        actor = self.ui.actor
        if actor is None:
            self.user_label.setText(_("Not logged in") if not self.locked else _("Locked"))
        else:
            self.user_label.setText(
                actor_label(actor.audit_name, {actor.login: (actor.display_name, actor.clerk_no)})
            )
        self.sig_actor_changed.emit(None if self.locked else actor)
        if self.printer_status is not None:
            self.printer_status.set_logged_in(actor is not None and not self.locked)

    def lock(self, manual: bool = False) -> None:
        actor = self.ui.actor
        if actor is None or self.locked:
            return
        if not self.intake.form.is_empty():
            self.intake.save_draft_now()  # a lock often precedes a shift change or a crash
        self._cover()
        self.locked = True
        self.login_page.show_locked(actor, manual)
        self.user_label.setText(_("Locked"))
        self.sig_actor_changed.emit(None)
        if self.printer_status is not None:
            self.printer_status.set_logged_in(False)

    @Slot()
    def on_idle_idle(self) -> None:
        self.lock()

    @Slot()
    def on_lock_triggered(self) -> None:
        self.lock(manual=True)

    @Slot()
    def on_logout_triggered(self) -> None:
        self.show_login()

    @Slot()
    def on_register_triggered(self) -> None:
        self.pages.setCurrentWidget(self.intake)
        self.focus_intake()

    def focus_intake(self) -> None:
        """Typing starts in the name: the kind (person) is right for most complainants, and
        letters typed into its combo box were lost. The window is activated too, since after
        a dialog closed it may not be, and then its shortcuts do not fire."""
        self.window.activateWindow()
        self.intake.form.edits["name"].setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- settings ------------------------------------------------------------------------

    @Slot()
    def on_settings_triggered(self) -> None:
        self.open_settings()

    def open_settings(self) -> bool:
        result = SettingsDialog.ask(self.ui, self.window, self.accounts)
        if result is None:
            return False
        self.apply_settings(result.business, result.local)
        return True

    def apply_settings(self, business: BusinessSettings, local: LocalSettings) -> None:
        desk, actor = self.ui.desk, self.ui.actor
        assert actor is not None

        def save() -> Changes:
            save_settings(desk.db, business, actor=actor.audit_name, now=desk.clock())
            desk.reload()
            return Changes(settings=True)

        self.ui.tasks.run(save, on_error=self._settings_failed)
        self.save_local(local)

    def _settings_failed(self, error: BaseException) -> None:
        log.error("saving settings failed: %s", error)
        QMessageBox.warning(
            self.window,
            _("Settings"),
            _("The settings were not saved: {reason}").format(reason=error),
        )

    def save_local(self, local: LocalSettings) -> None:
        self.ui.local = local
        if self.ui.printing is not None:
            self.ui.printing.configure(local.printer_uri, local.printer_profile)
        data_dir = self.ui.desk.data_dir
        self.ui.tasks.run(lambda: save_local_settings(data_dir, local), lane="file")

    @Slot(object)
    def on_bus_changed(self, changes: Changes) -> None:
        if changes.settings:
            settings = self.ui.desk.settings
            self.idle.set_timeout_ms(settings.idle_lock_minutes * 60_000)
            self.intake.reload_settings()
            self.login_page.show_hall(f"{settings.hall_name} · {settings.window_name}")
