"""The desk's main window: menus, the screens, and a status bar that always tells the state.

Built in two steps so it shows at once: the window itself (Qt and small modules only, no database)
is shown while the data dir opens on the DB lane, then ``attach`` gives it the open desk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget, QWidget

from dnw_desk import __version__
from dnw_desk.i18n import _
from dnw_desk.ui.menus import MenuBar

if TYPE_CHECKING:
    from dnw_desk.services.changes import Changes
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.login_page import LoginPage


class MainWindow(QMainWindow):
    def __init__(self, ui: DeskUi | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui: DeskUi | None = None
        # Each says what would be left undone by quitting now (None: nothing); from memory
        # only, since the GUI thread does no I/O.
        self.quit_checks: list[Callable[[], str | None]] = []
        # Shown by the start-up window before the database is open (``adopt_login_page``).
        self.login_page: LoginPage | None = None
        self.setWindowTitle(_("Could-Not-Get-It-Done Window"))
        self.setMinimumSize(1024, 640)
        self.pages = QStackedWidget(self)
        self.setCentralWidget(self.pages)
        self._build_status_bar()
        self._build_menus()
        if ui is not None:
            self.attach(ui)

    def attach(self, ui: DeskUi) -> None:
        """The desk is open: show its hall, data dir and case count."""
        self.ui = ui
        self.setWindowTitle(_("Could-Not-Get-It-Done Window") + f" — {ui.desk.settings.hall_name}")
        # Not before the desk is open: the first use of PySide6's ``Qt`` namespace (a shortcut,
        # a flag) builds all its enums, ~20 ms that the start-up window does without.
        from PySide6.QtCore import Qt

        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.data_dir_label.setText(_("Data: {path}").format(path=ui.desk.data_dir))
        self.data_dir_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().clearMessage()
        self._connect_signals()
        self.refresh_case_count()

    def show_opening(self, *, upgrading: bool = False) -> None:
        """While the data dir opens on the DB lane (lock, migrations, the first queries); an
        upgrade of an older database says so, since it takes longer (once)."""
        message = opening_message(upgrading)
        self.statusBar().showMessage(message)
        if self.login_page is not None:
            self.login_page.opening_message = message

    def _build_menus(self) -> None:
        self.menus = MenuBar(self)
        self.quit_action = self.menus.action("quit")
        self.quit_action.triggered.connect(self.on_quit_triggered)
        self.menus.action("about").triggered.connect(self.on_about_triggered)

    def adopt_login_page(self, page: LoginPage) -> None:
        """The login page shown before the database is open; the session takes it over."""
        self.login_page = page
        self.pages.addWidget(page)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.data_dir_label = QLabel()
        self.case_count_label = QLabel()
        bar.addPermanentWidget(self.case_count_label)
        bar.addPermanentWidget(self.data_dir_label)

    def _connect_signals(self) -> None:
        assert self.ui is not None
        self.ui.bus.sig_changed.connect(self.on_bus_changed)

    @Slot(object)
    def on_bus_changed(self, changes: Changes) -> None:
        if changes.cases:
            self.refresh_case_count()

    def refresh_case_count(self) -> None:
        assert self.ui is not None
        self.ui.tasks.run(self.ui.desk.cases.count, self._show_case_count)

    def _show_case_count(self, count: int) -> None:
        self.case_count_label.setText(_("Cases: {count}").format(count=count))

    @Slot()
    def on_quit_triggered(self) -> None:
        if self.may_quit():
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window manager's close button (spontaneous) asks like Exit does; a close by the
        # program itself (shutting down) does not.
        if event.spontaneous() and not self.may_quit():
            event.ignore()
            return
        super().closeEvent(event)

    def may_quit(self) -> bool:
        """Quitting leaves nothing undone, or the user chose to quit anyway."""
        pending = [text for check in self.quit_checks if (text := check())]
        return not pending or self.confirm_quit(pending)

    def confirm_quit(self, pending: list[str]) -> bool:
        from dnw_desk.ui.confirm_dialog import ConfirmDialog

        return ConfirmDialog.ask(
            self,
            _("Exit"),
            _(
                "Not everything is done yet:\n{pending}\n\nIt is kept and continues at the next "
                "start. Exit anyway?"
            ).format(pending="\n".join(f"• {line}" for line in pending)),
            _("Exit anyway"),
            _("Stay"),
            destructive=True,
        )

    @Slot()
    def on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            _("About dnw-desk"),
            _(
                "<b>dnw-desk {version}</b><p>The desk terminal of the "
                "“could not get it done” complaint window.</p>"
            ).format(version=__version__),
        )


def opening_message(upgrading: bool) -> str:
    if upgrading:
        return _(
            "Upgrading the database for this version (once, after a backup copy); "
            "this can take a minute or two…"
        )
    return _("Opening the database…")
