"""Typing like a clerk: ASCII as key clicks, Chinese as an input-method commit.

``QTest.keyClicks`` asserts on characters outside ASCII (Qt's ``asciiToKey``); real Chinese input
arrives from the IME as a committed string, which is what ``QInputMethodEvent`` delivers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    run = ""
    for char in text:
        if char.isascii():
            run += char
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        event = QInputMethodEvent()
        event.setCommitString(char)
        target = widget.focusProxy() or widget
        QApplication.sendEvent(target, event)
    if run:
        qtbot.keyClicks(widget, run)


def type_and_enter(qtbot: QtBot, widget: QWidget, text: str) -> None:
    type_text(qtbot, widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)
