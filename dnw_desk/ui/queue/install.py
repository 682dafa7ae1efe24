"""Puts the queue, the case detail, the alerts and the review into the main window.

The shared ``MainWindow`` calls ``install`` once; everything of this feature lives here: two
pages on the window's stack, the *Cases* menu's actions, the alert banner above the pages, the
tray icon.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, SignalInstance, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from dnw_desk.domain.roles import Actor, Permission, may
from dnw_desk.i18n import _
from dnw_desk.ui.alerts import AlertBanner, AlertCenter, system_tray
from dnw_desk.ui.case_detail import CaseDetailDialog
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.main_window import MainWindow
from dnw_desk.ui.queue.page import QueuePage
from dnw_desk.ui.review.page import ReviewPage
from dnw_desk.ui.widgets import vbox

SPARE_AFTER_MS = 1_000  # a spare case dialog is built this long after the last one opened


class QueueFeatures(QObject):
    def __init__(
        self,
        window: MainWindow,
        ui: DeskUi,
        actor_changed: SignalInstance | None = None,
        *,
        start_alerts: bool = True,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ui = ui
        self.pages = window.pages
        self.queue_page = QueuePage(ui)
        self.review_page = ReviewPage(ui)
        self.pages.addWidget(self.queue_page)
        self.pages.addWidget(self.review_page)
        self.banner = AlertBanner()
        self._wrap_central()
        self.tray = system_tray(self)
        self.alerts = AlertCenter(ui, self.banner, self.tray, parent=self)
        self._build_menu()
        self._connect_signals()
        # A case dialog built and polished ahead, while the clerk reads or types, and then the
        # last one closed, emptied: opening a case only loads and fills it.
        self.spare: CaseDetailDialog | None = None
        self.spare_timer = QTimer(self)
        self.spare_timer.setSingleShot(True)
        self.spare_timer.setInterval(SPARE_AFTER_MS)
        self.spare_timer.timeout.connect(self.prepare_spare)
        if actor_changed is not None:
            actor_changed.connect(self.on_session_actor_changed)
        self.on_session_actor_changed(ui.actor)
        self.details: list[CaseDetailDialog] = []
        if start_alerts:
            self.alerts.start()

    def _wrap_central(self) -> None:
        # The banner sits above whatever page shows, so an alert is seen on every screen.
        central = self.window.takeCentralWidget()
        container = QWidget()
        container.setLayout(vbox(self.banner, central, spacing=0))
        self.window.setCentralWidget(container)

    def _build_menu(self) -> None:
        menus = self.window.menus
        self.menu = menus.menu("cases")
        self.queue_action = menus.action("queue")
        self.queue_action.triggered.connect(self.on_queue_action_triggered)
        self.review_action = menus.action("review")
        self.review_action.triggered.connect(self.on_review_action_triggered)

    def _connect_signals(self) -> None:
        self.queue_page.sig_open_case.connect(self.on_queue_page_open_case)
        self.banner.sig_open_case.connect(self.on_queue_page_open_case)

    def show_queue(self) -> None:
        self.pages.setCurrentWidget(self.queue_page)
        # The keys go to the search box (Down reaches the results), not to the hidden page.
        self.queue_page.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.queue_page.search.selectAll()

    def show_review(self) -> bool:
        """Open the review; refused (with a message) for a role without the permission."""
        actor = self.ui.actor
        if actor is None or not may(actor.role, Permission.REVIEW):
            QMessageBox.information(
                self.window, _("Review of the day"), _("Only a shift lead can open the review.")
            )
            return False
        self.pages.setCurrentWidget(self.review_page)
        self.review_page.day_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def open_case(self, case_id: str) -> CaseDetailDialog:
        dialog, self.spare = self.spare, None
        if dialog is None:
            dialog = self._new_dialog(case_id)
        else:
            dialog.show_case(case_id)
        self.spare_timer.start()
        self.details.append(dialog)
        dialog.open()
        # Keys go to the case at once (where a window manager does not hand it the focus).
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    @Slot()
    def prepare_spare(self) -> None:
        if self.spare is None and self.ui.actor is not None:
            spare = self._new_dialog(None)
            spare.ensurePolished()
            layout = spare.layout()
            if layout is not None:
                layout.activate()
            self.spare = spare

    def _new_dialog(self, case_id: str | None) -> CaseDetailDialog:
        dialog = CaseDetailDialog(self.ui, case_id, self.window)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        return dialog

    def _closed(self, dialog: CaseDetailDialog) -> None:
        """A closed case dialog is emptied and kept for the next case (one at most)."""
        if dialog in self.details:
            self.details.remove(dialog)
        if self.spare is None and self.ui.actor is not None:
            dialog.clear()
            self.spare = dialog
        else:
            dialog.deleteLater()

    @Slot(object)
    def on_session_actor_changed(self, actor: Actor | None) -> None:
        # Nothing of the queue is reachable behind the login page or the lock, and the alert
        # banner (case numbers, units, "Open case") is not shown there either.
        self.banner.withhold(actor is None)
        self.menu.menuAction().setEnabled(actor is not None)
        if actor is not None:
            self.spare_timer.start()
        if actor is None or not may(actor.role, Permission.REVIEW):
            self.review_action.setEnabled(False)
            if self.pages.currentWidget() is self.review_page:
                self.pages.setCurrentWidget(self.queue_page)
        else:
            self.review_action.setEnabled(True)

    @Slot()
    def on_queue_action_triggered(self) -> None:
        self.show_queue()

    @Slot()
    def on_review_action_triggered(self) -> None:
        self.show_review()

    @Slot(str)
    def on_queue_page_open_case(self, case_id: str) -> None:
        self.open_case(case_id)


def install(
    window: MainWindow,
    ui: DeskUi,
    actor_changed: SignalInstance | None = None,
    *,
    start_alerts: bool = True,
) -> QueueFeatures:
    return QueueFeatures(window, ui, actor_changed, start_alerts=start_alerts)
