"""Alerts on screen: the tick that refreshes levels, one banner and one tray message per
crossing (``services.alerts`` decides what is new, and remembers it across restarts), snooze.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QSystemTrayIcon, QWidget

from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import WINDOW_TASK_LABELS
from dnw_desk.i18n import _
from dnw_desk.services.alerts import AlertTick, Notification, alerts_for
from dnw_desk.services.changes import Changes
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.widgets import button, hbox

log = logging.getLogger(__name__)
TICK_MS = 60_000
BANNER_STYLES = {
    AlertLevel.REMINDER: "background:#d6e6fb; border:1px solid #7aa7e6; color:#10294d;",
    AlertLevel.WARNING: "background:#fff1b8; border:1px solid #e0b400; color:#4d3b00;",
    AlertLevel.OVERDUE: "background:#f6cdc8; border:1px solid #c23030; color:#5c0f0f;",
    AlertLevel.ESCALATED: "background:#c23030; border:1px solid #7d1616; color:#ffffff;",
}


class Notifier(Protocol):
    """What the alert center needs of the tray icon (tests pass a recorder)."""

    def showMessage(self, title: str, message: str, icon: Any, msecs: int) -> None: ...


def describe(notifications: Sequence[Notification]) -> tuple[str, str]:
    """(title, text) for one banner / tray message about these crossings. No personal data."""
    top = max(notifications, key=lambda n: (n.level, -n.deadline.timestamp()))
    level = _(WINDOW_TASK_LABELS[top.task]) if top.task else _(top.level.label)
    detail = _("{number} · {unit} · due {deadline}").format(
        number=top.number,
        unit=top.unit or _("(no unit)"),
        deadline=f"{top.deadline:%m-%d %H:%M}",
    )
    if len(notifications) == 1:
        prefix = _("Reminder again") + " · " if top.reminder else ""
        return f"{prefix}{level}", detail
    title = _("{count} cases need attention").format(count=len(notifications))
    return title, _("Most urgent: {level} — {detail}").format(level=level, detail=detail)


class AlertBanner(QFrame):
    sig_open_case = Signal(str)
    """Open the most urgent case of the banner."""

    sig_snooze = Signal()
    """Snooze the banner's notifications."""

    sig_dismiss = Signal()
    """The banner was read and dismissed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.open_button = button(_("Open case"), self.on_open_button_clicked)
        self.snooze_button = button(_("Snooze 15 min"), self.sig_snooze.emit)
        self.dismiss_button = button(_("Dismiss"), self.sig_dismiss.emit)
        layout = hbox(
            self.text, None, self.open_button, self.snooze_button, self.dismiss_button, margin=6
        )
        layout.setStretch(0, 1)
        self.setLayout(layout)
        self._case_id = ""
        # ``wanted``: there is something to show; ``withheld``: no one is logged in (login page
        # or lock), so case data stays off the screen until someone is.
        self.wanted = False
        self.withheld = False
        self.setVisible(False)

    def show_notifications(self, notifications: Sequence[Notification]) -> None:
        title, detail = describe(notifications)
        top = max(notifications, key=lambda n: (n.level, -n.deadline.timestamp()))
        self._case_id = top.case_id
        self.text.setText(f"<b>{title}</b>　{detail}")
        self.setStyleSheet(f"QFrame#alertBanner {{ {BANNER_STYLES[top.level]} }}")
        self.wanted = True
        self.setVisible(not self.withheld)

    def retract(self) -> None:
        """Snoozed or dismissed: nothing to show any more."""
        self.wanted = False
        self.setVisible(False)

    def withhold(self, withheld: bool) -> None:
        """Hide while no one is logged in; show again (if still wanted) when someone is."""
        self.withheld = withheld
        self.setVisible(self.wanted and not withheld)

    @Slot()
    def on_open_button_clicked(self) -> None:
        if self._case_id and not self.withheld:
            self.sig_open_case.emit(self._case_id)


class AlertCenter(QObject):
    sig_notified = Signal(object)
    """An ``AlertTick`` that brought new notifications (after banner and tray were shown)."""

    def __init__(
        self,
        ui: DeskUi,
        banner: AlertBanner,
        tray: Notifier | None = None,
        *,
        sound: bool = False,
        interval_ms: int = TICK_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = ui
        self.banner = banner
        self.tray = tray
        self.sound = sound
        self.service = alerts_for(ui.desk)
        self.shown: tuple[Notification, ...] = ()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.on_timer_timeout)
        self._running = False
        self._again = False  # asked for while a tick ran: one more tick after it
        # The next tick walks every pending case (the first one, after a calendar or settings
        # change); otherwise it recomputes the cases due and these, touched by changes.
        self._full = True
        self._touched: set[str] = set()
        self._own_changes: Changes | None = None  # the last tick's, published by the runner
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.banner.sig_snooze.connect(self.on_banner_snooze)
        self.banner.sig_dismiss.connect(self.on_banner_dismiss)
        self.ui.bus.sig_changed.connect(self.on_bus_changed)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(0, self.refresh)

    def refresh(self) -> None:
        """One tick on the task runner (one more after it if asked for while it runs)."""
        if self._running:
            self._again = True
            return
        self._running = True
        full, touched = self._full, frozenset(self._touched)
        self._full, self._touched = False, set()
        service = self.service

        def tick() -> AlertTick:
            return service.refresh() if full else service.refresh_due(touched)

        # On its own lane: a clerk's step waits at most for one of the tick's short write
        # transactions (the writer's lock), not for its reads and arithmetic.
        self.ui.tasks.run(
            tick,
            self._on_tick,
            lambda error: self._on_failed(error, full, touched),
            lane="alerts",
        )

    def _finished(self) -> None:
        self._running = False
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.refresh)

    def _on_tick(self, tick: AlertTick) -> None:
        self._finished()
        self._own_changes = tick.changes  # the runner publishes them after this returns
        if not tick.notifications:
            return
        self.shown = tick.notifications
        self.banner.show_notifications(tick.notifications)
        if self.tray is not None and not self.banner.withheld:  # no case data on a locked desk
            title, detail = describe(tick.notifications)
            self.tray.showMessage(title, detail, QSystemTrayIcon.MessageIcon.Warning, 15_000)
        if self.sound:
            QApplication.beep()
        self.sig_notified.emit(tick)

    def _on_failed(self, error: BaseException, full: bool, touched: frozenset[str]) -> None:
        # The next tick tries again (with what this one had to do); the banner keeps what it
        # shows.
        self._full = self._full or full
        self._touched |= touched
        self._finished()
        log.error("the alert tick failed: %s", error)

    @Slot()
    def on_timer_timeout(self) -> None:
        self.refresh()

    @Slot()
    def on_banner_snooze(self) -> None:
        shown, self.shown = self.shown, ()
        self.banner.retract()
        self.ui.tasks.run(
            lambda: self.service.snooze(shown), on_error=lambda e: self._not_recorded(shown, e)
        )

    @Slot()
    def on_banner_dismiss(self) -> None:
        shown, self.shown = self.shown, ()
        self.banner.retract()
        actor = self.ui.actor.audit_name if self.ui.actor else "desk"
        self.ui.tasks.run(
            lambda: self.service.acknowledge(shown, actor),
            on_error=lambda e: self._not_recorded(shown, e),
        )

    def _not_recorded(self, shown: tuple[Notification, ...], error: BaseException) -> None:
        """The snooze or acknowledgement was not saved: the alert is still due, so it comes
        back (unless a newer one replaced it meanwhile) and the user is told why."""
        log.error("alert snooze/acknowledgement not saved: %s", error)
        if not self.shown:
            self.shown = shown
            self.banner.show_notifications(shown)
        self.ui.tasks.report(error)

    @Slot(object)
    def on_bus_changed(self, changes: Changes) -> None:
        # A step on a case (an extension, feedback) can change its level at once: that case is
        # recomputed. A calendar or settings change may move every clock. Our own "levels
        # moved" publication must not start another tick.
        if changes is self._own_changes:
            return
        if changes.calendar or changes.settings:
            self._full = True
        if changes.cases or changes.calendar or changes.settings:
            self._touched |= changes.case_ids
            self.refresh()


def system_tray(parent: QObject | None = None) -> QSystemTrayIcon | None:
    """The tray icon, or None where the platform has no tray (then the banner alone shows)."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    app = QApplication.instance()
    icon = app.windowIcon() if isinstance(app, QApplication) else None
    tray = QSystemTrayIcon(parent)
    if icon is not None and not icon.isNull():
        tray.setIcon(icon)
    else:
        style = QApplication.style()
        tray.setIcon(style.standardIcon(style.StandardPixmap.SP_MessageBoxWarning))
    tray.show()
    return tray
