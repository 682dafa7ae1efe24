"""Lock the counter after N idle minutes (docs/rules.md#privacy).

An application-wide event filter counts input events (keys, clicks, mouse movement, wheel,
touch) as activity and restarts one single-shot timer; when it runs out, ``sig_idle`` asks the
main window to lock. Every event of the application passes the filter (thousands for one dialog
opening): it asks ``isinstance`` of the event's class, which costs far less than converting
``event.type()`` to its Python enum.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QInputEvent
from PySide6.QtWidgets import QApplication


class IdleLock(QObject):
    sig_idle = Signal()
    """No keyboard or mouse activity for the configured time."""

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.set_timeout_ms(int(minutes * 60_000))
        self.timer.timeout.connect(self.on_timer_timeout)
        self.active = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_timeout_ms(self, milliseconds: int) -> None:
        self.timer.setInterval(max(1, milliseconds))
        if self.timer.isActive():
            self.timer.start()

    def start(self) -> None:
        """Watch for idleness (after a login)."""
        self.active = self.timer.interval() > 0
        self.timer.start()

    def stop(self) -> None:
        """Stop watching (while locked or logged out)."""
        self.active = False
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # While the object is torn down its Python attributes may be gone before Qt removes
        # the application-wide filter (seen when the screenshot run closes its windows).
        if getattr(self, "active", False) and isinstance(event, QInputEvent):
            self.timer.start()
        return False

    @Slot()
    def on_timer_timeout(self) -> None:
        if self.active:
            self.active = False
            self.sig_idle.emit()
