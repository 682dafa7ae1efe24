"""Log in at the start of a shift, and unlock after the idle lock.

A page of the main window rather than a modal dialog: while it shows, the screens behind it are
hidden (personal data is not left on an unattended counter) and the menus are disabled. Checking
the password runs on the DB lane (scrypt takes a few dozen milliseconds).

The page is shown before the database is open (the start-up window imports no SQLAlchemy): the
login can be typed at once. *Log in* is enabled by ``attach_early`` as soon as the data dir is
locked: the password is then checked with plain ``sqlite3`` (``services.early_login``) while
SQLAlchemy and the screens still load, and a clerk who got in waits on this page until they are
built (``attach``), whose session then hears the login. It also
avoids PySide6's ``Qt`` namespace, whose first use builds all its enums (~20 ms of a start budget
of ~70 ms over a bare window): headings are centred with HTML instead of alignment flags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QFrame, QLineEdit, QWidget

from dnw_desk.i18n import _
from dnw_desk.ui.widgets import (
    EnterMovesOn,
    button,
    error_label,
    hbox,
    hint_label,
    label,
    show_error,
    vbox,
)

if TYPE_CHECKING:
    from dnw_desk.domain.roles import Actor
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.services.early_login import EarlyLogin
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.tasks import TaskRunner


def centred(text: str) -> str:
    """``text`` as rich text centred in its label (no alignment flag: see the module doc)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<p align="center">{escaped}</p>'


class LoginPage(QWidget):
    sig_logged_in = Signal(object)
    """An ``Actor`` whose password was right (a new login or the unlock)."""

    def __init__(
        self,
        ui: DeskUi | None = None,
        accounts: AccountService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui: DeskUi | None = None
        self.accounts: AccountService | None = None
        self.locked_actor: Actor | None = None
        # Before ``attach``: the early login and the runner it checks passwords on.
        self.early: EarlyLogin | None = None
        self.early_tasks: TaskRunner | None = None
        # What a clerk logged in early reads until the screens are built.
        self.opening_message = _("Opening the database…")
        self._early_actor: Actor | None = None  # logged in early, waiting for the screens
        self.title = label(centred(_("Log in")), bold=True, scale=1.6)
        self.subtitle = hint_label()
        self.login_edit = QLineEdit()
        self.login_edit.setObjectName("login")
        self.login_edit.installEventFilter(EnterMovesOn(self))
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        self.login_button = button(_("Log in"), self.on_login_clicked, default=True)
        self.login_button.setObjectName("loginButton")
        self.switch_button = button(_("Another user (new shift)"), self.on_switch_clicked)
        self.switch_button.setVisible(False)
        form = QFormLayout()
        form.addRow(_("Login"), self.login_edit)
        form.addRow(_("Password"), self.password_edit)
        card = QFrame()
        card.setObjectName("loginCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setFixedWidth(420)
        card.setLayout(
            vbox(
                self.title,
                self.subtitle,
                8,
                form,
                self.error,
                hbox(self.switch_button, None, self.login_button),
                margin=24,
            )
        )
        self.hall = hint_label("")
        self.setLayout(vbox(None, hbox(None, card, None), self.hall, None, margin=24))
        self.login_button.setEnabled(False)
        self._submit_when_ready = False
        self._connect_signals()
        if ui is not None and accounts is not None:
            self.attach(ui, accounts)

    def attach(self, ui: DeskUi, accounts: AccountService) -> None:
        """The desk is open: logging in is possible now."""
        self.ui, self.accounts = ui, accounts
        self.show_hall(f"{ui.desk.settings.hall_name} · {ui.desk.settings.window_name}")
        self._record_early_attempts()
        actor, self._early_actor = self._early_actor, None
        if actor is not None:
            # Once the session behind this page is wired to hear the result.
            QTimer.singleShot(0, lambda: self.on_authenticated(actor))
            return
        self.login_button.setEnabled(True)
        if self._submit_when_ready:
            self._submit_when_ready = False
            QTimer.singleShot(0, self.on_login_clicked)

    def attach_early(self, tasks: TaskRunner, early: EarlyLogin, hall: str) -> None:
        """The data dir is locked and the desk set up: logging in is possible before the rest
        of the desk is loaded."""
        if self.ui is not None:
            return
        self.early_tasks, self.early = tasks, early
        if hall:
            self.show_hall(hall)
        self.login_button.setEnabled(True)
        if self._submit_when_ready:
            self._submit_when_ready = False
            QTimer.singleShot(0, self.on_login_clicked)

    def show_hall(self, text: str) -> None:
        self.hall.setText(centred(text))

    @property
    def ready(self) -> bool:
        return (self.accounts is not None or self.early is not None) and self._early_actor is None

    def _connect_signals(self) -> None:
        self.password_edit.returnPressed.connect(self.on_login_clicked)

    def show_login(self, last_login: str = "") -> None:
        self.locked_actor = None
        self.title.setText(centred(_("Log in")))
        self.subtitle.setText(centred(_("Log in to start your shift.")))
        self.login_edit.setReadOnly(False)
        self.login_edit.setText(last_login)
        self.switch_button.setVisible(False)
        self._reset()

    def show_locked(self, actor: Actor, manual: bool = False) -> None:
        from dnw_desk.domain.roles import ROLE_LABELS

        self.locked_actor = actor
        self.title.setText(centred(_("Locked")))
        if manual:
            why = _("{role} {login} (no. {clerk_no}) locked the desk: enter your password.")
        else:
            why = _(
                "The desk locked itself after a pause. {role} {login} (no. {clerk_no}): enter "
                "your password."
            )
        self.subtitle.setText(
            centred(
                why.format(
                    role=_(ROLE_LABELS[actor.role]), login=actor.login, clerk_no=actor.clerk_no
                )
            )
        )
        self.login_edit.setText(actor.login)
        self.login_edit.setReadOnly(True)
        self.switch_button.setVisible(True)
        self._reset()

    def _reset(self) -> None:
        self.password_edit.clear()
        show_error(self.error, "")
        self.login_button.setEnabled(self.ready)
        (self.password_edit if self.login_edit.text() else self.login_edit).setFocus()

    @Slot()
    def on_switch_clicked(self) -> None:
        self.show_login()

    @Slot()
    def on_login_clicked(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if not login or not password:
            show_error(self.error, _("Enter your login and password."))
            return
        if self._early_actor is not None:
            return
        if self.ui is not None and self.accounts is not None:
            accounts = self.accounts
            self.login_button.setEnabled(False)
            self.ui.tasks.run(
                lambda: accounts.authenticate(login, password),
                self.on_authenticated,
                self.on_failed,
            )
            return
        early, tasks = self.early, self.early_tasks
        if early is None or tasks is None:
            # Enter pressed while the database opens: log in as soon as it is open.
            self._submit_when_ready = True
            show_error(self.error, _("Logging in as soon as the database is open…"))
            return
        self.login_button.setEnabled(False)
        # The "file" lane: the DB lane is busy opening the database meanwhile.
        tasks.run(
            lambda: early.authenticate(login, password),
            self.on_authenticated,
            self.on_failed,
            lane="file",
        )

    def on_authenticated(self, actor: Actor) -> None:
        self.password_edit.clear()
        self._record_early_attempts()
        if self.ui is None:  # logged in early: the session hears it once the screens are built
            self._early_actor = actor
            show_error(self.error, "")
            self.subtitle.setText(centred(self.opening_message))
            return
        self.login_button.setEnabled(True)
        self.sig_logged_in.emit(actor)

    def _record_early_attempts(self) -> None:
        """Count and audit-log the early login's attempts, once the database is open."""
        if self.early is None or self.ui is None or self.accounts is None:
            return
        attempts = self.early.take_attempts()
        if attempts:
            accounts = self.accounts
            self.ui.tasks.run(lambda: accounts.record_attempts(attempts))

    def on_failed(self, error: BaseException) -> None:
        self._record_early_attempts()
        self.login_button.setEnabled(True)
        self.password_edit.clear()
        self.password_edit.setFocus()
        from dnw_desk.services.passwords import LoginFailed

        message = (
            str(error) if isinstance(error, LoginFailed) else _("Login is not possible right now.")
        )
        show_error(self.error, message)
