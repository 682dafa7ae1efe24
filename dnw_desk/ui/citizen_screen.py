"""The screen facing the citizen at the counter (a second monitor).

Idle, it shows the hall and the window's promise. While the clerk types, it mirrors the case as
the citizen may see it — their own data, large — so they can say "that is wrong" before the save.
After the save it shows the number, the feedback deadline and the QR code of the status page,
and asks for the five-level rating (一次一评); after the unit's feedback the clerk can ask for
the rating of the handling at the counter. It goes back to idle by itself. It never shows
another case: each view is built from the form being typed or the case just saved, and a lock
or a new shift sends it back to idle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPixmap, QScreen
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QWidget

from dnw_desk.domain.case import RatingChannel, RatingStage, Satisfaction
from dnw_desk.i18n import _
from dnw_desk.printing.raster import qr_matrix
from dnw_desk.services.citizen_view import SavedView, mirror_lines, saved_view
from dnw_desk.services.handling import handling_for
from dnw_desk.services.ratings import Rating, record_rating
from dnw_desk.ui.citizen_rating import RatingPanel
from dnw_desk.ui.intake.fields import FIELDS
from dnw_desk.ui.widgets import label, vbox

if TYPE_CHECKING:
    from dnw_desk.domain.roles import Actor
    from dnw_desk.services.cases import Saved
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.desk_session import DeskSession

# How long the number and QR code stay up after a save, and how long an untouched form stays
# mirrored, before the screen goes back to idle.
SAVED_SECONDS = 90
MIRROR_IDLE_SECONDS = 300
THANKS_SECONDS = 5
BIG = 2.2


def citizen_screen_for(setting: str) -> QScreen | None:
    """The monitor facing the citizen: the one the setting names, else the first that is not
    the clerk's; None when there is none (or the setting is "off")."""
    if setting == "off":
        return None
    screens = QGuiApplication.screens()
    if setting:
        return next((screen for screen in screens if screen.name() == setting), None)
    primary = QGuiApplication.primaryScreen()
    return next((screen for screen in screens if screen is not primary), None)


def qr_pixmap(payload: str, size: int) -> QPixmap:
    matrix = qr_matrix(payload)
    modules = len(matrix) + 8  # a quiet zone of four modules each side
    scale = max(1, size // modules)
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect((x + 4) * scale, (y + 4) * scale, scale, scale, QColor("black"))
    painter.end()
    return QPixmap.fromImage(image)


class CitizenScreen(QWidget):
    def __init__(self, hall_name: str, promise: str) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("citizenScreen")
        self.setWindowTitle(_("For the citizen"))
        self.setStyleSheet("#citizenScreen { background: #ffffff; }")
        self.pages = QStackedWidget()
        self.idle_page = self._idle_page(hall_name, promise)
        self.mirror_grid = QGridLayout()
        self.mirror_page = self._page(
            label(_("Please check what is recorded for you"), bold=True, scale=BIG),
            self.mirror_grid,
            None,
        )
        self.number = label("", bold=True, scale=BIG * 1.6)
        self.number.setObjectName("citizenNumber")
        self.deadline = label("", scale=BIG)
        self.qr = QLabel()
        self.qr.setObjectName("citizenQr")
        heading = label(_("Your case number"), scale=BIG)
        self.scan = label(
            _("Scan to follow your case; the code is also on your receipt."), scale=1.4
        )
        for item in (heading, self.number, self.deadline, self.qr, self.scan):
            item.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rating = RatingPanel()
        self.saved_page = self._page(
            None, heading, self.number, self.deadline, self.qr, self.scan, self.rating, None
        )
        thanks = label(_("Thank you for your rating."), bold=True, scale=BIG * 1.3)
        thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks_page = self._page(None, thanks, None)
        for page in (self.idle_page, self.mirror_page, self.saved_page, self.thanks_page):
            self.pages.addWidget(page)
        self.setLayout(vbox(self.pages, margin=48))
        self.back_to_idle = QTimer(self)
        self.back_to_idle.setSingleShot(True)
        self.back_to_idle.timeout.connect(self.show_idle)

    def _page(self, *items: object) -> QWidget:
        page = QWidget()
        page.setLayout(vbox(*items, spacing=24))
        return page

    def _idle_page(self, hall_name: str, promise: str) -> QWidget:
        hall = label(hall_name, bold=True, scale=BIG * 1.3)
        window = label(_("Could-not-get-it-done complaint window"), scale=BIG)
        words = label(promise, bold=True, scale=BIG * 1.2)
        words.setObjectName("citizenPromise")
        for item in (hall, window, words):
            item.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return self._page(None, hall, window, words, None)

    @Slot()
    def show_idle(self) -> None:
        self.back_to_idle.stop()
        self._clear_mirror()
        self.number.clear()
        self.qr.clear()
        self.rating.reset()
        self.pages.setCurrentWidget(self.idle_page)

    def show_typing(self, values: dict[str, str]) -> None:
        lines = mirror_lines(values)
        if not lines:
            self.show_idle()
            return
        self._clear_mirror()
        for row, (title, value) in enumerate(lines):
            name = label(_(title), scale=BIG)
            text = label(value, bold=True, scale=BIG, wrap=True)
            text.setObjectName(f"citizen_{row}")
            self.mirror_grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            self.mirror_grid.addWidget(text, row, 1)
        self.mirror_grid.setColumnStretch(1, 1)
        self.pages.setCurrentWidget(self.mirror_page)
        self.back_to_idle.start(MIRROR_IDLE_SECONDS * 1000)

    def show_saved(self, view: SavedView) -> None:
        self._clear_mirror()
        self.number.setText(view.number)
        due = f"{view.deadline:%Y-%m-%d %H:%M}" if view.deadline is not None else "—"
        self.deadline.setText(_("The unit answers you and the window by {due}.").format(due=due))
        self.qr.setPixmap(qr_pixmap(view.status_url, 360))
        self.qr.show()
        self.scan.show()
        self.rating.reset()
        self.pages.setCurrentWidget(self.saved_page)
        self.back_to_idle.start(SAVED_SECONDS * 1000)

    def show_rating(self, number: str) -> None:
        """Ask for the rating of the handling (the case was answered), without the QR code."""
        self._clear_mirror()
        self.number.setText(number)
        self.deadline.setText(_("Your case has been answered. Please rate how it was handled."))
        self.qr.clear()
        self.qr.hide()
        self.scan.hide()
        self.rating.reset()
        self.pages.setCurrentWidget(self.saved_page)
        self.back_to_idle.start(SAVED_SECONDS * 1000)

    def show_thanks(self) -> None:
        self.rating.reset()
        self.pages.setCurrentWidget(self.thanks_page)
        self.back_to_idle.start(THANKS_SECONDS * 1000)

    def texts(self) -> list[str]:
        """Everything the current page says (for tests and the self-check)."""
        page = self.pages.currentWidget()
        if page is None:
            return []
        return [child.text() for child in page.findChildren(QLabel) if child.text()]

    def _clear_mirror(self) -> None:
        while self.mirror_grid.count():
            item = self.mirror_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()


class CitizenMirror(QObject):
    """Feeds the citizen screen from the intake page: the form as typed, the case saved."""

    def __init__(self, ui: DeskUi, session: DeskSession, screen: QScreen) -> None:
        super().__init__(session)
        settings = ui.desk.settings
        self.ui = ui
        self.form = session.intake.form
        self.window = CitizenScreen(settings.hall_name, settings.citizen_promise)
        self.window.setScreen(screen)
        self.window.setGeometry(screen.geometry())
        self.window.showFullScreen()
        self.typing = QTimer(self)
        self.typing.setSingleShot(True)
        self.typing.setInterval(150)  # follow the typing, not every keystroke
        self.typing.timeout.connect(self.on_typing_timeout)
        self.form.sig_changed.connect(self.typing.start)
        session.intake.sig_saved.connect(self.on_case_saved)
        # The case the rating on screen is for; None once rated, or back to idle.
        self.rating_for: tuple[str, RatingStage] | None = None
        self.window.rating.sig_rated.connect(self.on_rated)
        self.window.back_to_idle.timeout.connect(self.forget_rating)
        session.sig_actor_changed.connect(self.on_actor_changed)
        app = QGuiApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.window.close)

    @Slot()
    def on_typing_timeout(self) -> None:
        values = {
            field.name: self.form.text(field.name) for field in FIELDS if self.form.shown(field)
        }
        if self.form.category.currentData():
            values["category"] = self.form.category.currentText()
        self.window.show_typing(values)

    @Slot(object)
    def on_case_saved(self, saved: Saved) -> None:
        self.typing.stop()
        self.window.show_saved(saved_view(self.ui.desk.settings, saved.case))
        self.rating_for = (saved.case.id, RatingStage.REGISTRATION)

    def ask_rating(self, case_id: str, number: str) -> None:
        """The clerk asks the citizen at the counter to rate the handling of an answered case."""
        self.typing.stop()
        self.window.show_rating(number)
        self.rating_for = (case_id, RatingStage.FEEDBACK)

    @Slot()
    def forget_rating(self) -> None:
        self.rating_for = None

    @Slot(object, str)
    def on_rated(self, level: Satisfaction, reason: str) -> None:
        target, actor = self.rating_for, self.ui.actor
        if target is None or actor is None:
            self.window.show_idle()
            return
        self.rating_for = None
        rating = Rating(level, target[1], RatingChannel.DEVICE, reason)
        handling = handling_for(self.ui.desk)
        self.ui.tasks.run(
            lambda: record_rating(handling, target[0], rating, actor),
            lambda _saved: self.window.show_thanks(),
        )

    @Slot(object)
    def on_actor_changed(self, actor: Actor | None) -> None:
        if actor is None:  # locked or logged out: nothing of the last citizen stays up
            self.rating_for = None
            self.window.show_idle()


def install_citizen_screen(ui: DeskUi, session: DeskSession) -> CitizenMirror | None:
    screen = citizen_screen_for(ui.local.citizen_screen)
    if screen is None:
        return None
    mirror = CitizenMirror(ui, session, screen)
    ui.ask_rating = mirror.ask_rating
    return mirror
