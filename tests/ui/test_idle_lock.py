"""What counts as activity for the idle lock: input events, never the application's own."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from dnw_desk.ui.idle_lock import IdleLock


def test_keys_and_clicks_restart_the_idle_timer_and_other_events_do_not(qtbot: QtBot) -> None:
    lock = IdleLock(10)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    lock.start()
    lock.timer.stop()  # as if the countdown were running: a restart shows as active again
    QCoreApplication.sendEvent(edit, QEvent(QEvent.Type.UpdateRequest))
    QCoreApplication.sendEvent(edit, QEvent(QEvent.Type.LayoutRequest))
    assert not lock.timer.isActive()
    qtbot.keyClick(edit, Qt.Key.Key_A)
    assert lock.timer.isActive()
    lock.timer.stop()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    assert lock.timer.isActive()
    lock.stop()
    qtbot.keyClick(edit, Qt.Key.Key_B)
    assert not lock.timer.isActive()  # stopped (locked, logged out): keys do not restart it
    QCoreApplication.instance().removeEventFilter(lock)
