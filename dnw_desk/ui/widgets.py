"""Tiny layout and widget helpers so screens read like their layout (git-cola's qtutils)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #b3261e;"
INVALID_PROPERTY = "invalid"
# One style sheet for the whole desk: marked fields get a red frame.
APP_STYLE = """
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {
    border: 2px solid #b3261e; border-radius: 3px; background: #fff6f5;
}
QLabel#fieldError { color: #b3261e; }
QLabel#fieldHint { color: #5f6368; }
QLabel#caseNumber { color: #0b57d0; }
QGroupBox { font-weight: bold; }
"""


def _box(layout: QBoxLayout, items: tuple[object, ...], margin: int, spacing: int) -> QBoxLayout:
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(spacing)
    for item in items:
        if item is None:
            layout.addStretch(1)
        elif isinstance(item, int):
            layout.addSpacing(item)
        elif isinstance(item, QLayout):
            layout.addLayout(item)
        elif isinstance(item, QWidget):
            layout.addWidget(item)
    return layout


def vbox(*items: object, margin: int = 0, spacing: int = 6) -> QVBoxLayout:
    """Widgets and layouts top to bottom; ``None`` is a stretch, an int a fixed gap."""
    layout = QVBoxLayout()
    _box(layout, items, margin, spacing)
    return layout


def hbox(*items: object, margin: int = 0, spacing: int = 6) -> QHBoxLayout:
    layout = QHBoxLayout()
    _box(layout, items, margin, spacing)
    return layout


def label(text: str = "", *, bold: bool = False, scale: float = 1.0, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if bold or scale != 1.0:
        font = QFont(widget.font())
        font.setBold(bold)
        if scale != 1.0 and font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * scale)
        widget.setFont(font)
    widget.setWordWrap(wrap)
    return widget


def error_label() -> QLabel:
    """The message beside a field; empty (and taking no space) while the field is fine."""
    widget = QLabel()
    widget.setObjectName("fieldError")
    widget.setWordWrap(True)
    widget.setVisible(False)
    return widget


def keep_space(widget: QWidget) -> QWidget:
    """The widget keeps its place while hidden, so a message line appearing below buttons does
    not move them under the user's pointer."""
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)
    return widget


def hint_label(text: str = "") -> QLabel:
    widget = QLabel(text)
    widget.setObjectName("fieldHint")
    widget.setWordWrap(True)
    return widget


def button(
    text: str, slot: Callable[[], object] | None = None, *, default: bool = False
) -> QPushButton:
    widget = QPushButton(text)
    widget.setAutoDefault(False)
    widget.setDefault(default)
    if slot is not None:
        widget.clicked.connect(slot)
    return widget


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Red frame on a field; the property drives APP_STYLE, so re-polish to apply it."""
    if bool(widget.property(INVALID_PROPERTY)) == invalid:
        return
    widget.setProperty(INVALID_PROPERTY, invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def show_error(message_label: QLabel, message: str) -> None:
    message_label.setText(message)
    message_label.setToolTip(message)
    message_label.setVisible(bool(message))


class EnterMovesOn(QObject):
    """Event filter: Return/Enter in a line edit or combo box moves focus to the next field,
    as on a paper form. Installed on each field that should behave this way."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return bool(super().eventFilter(watched, event))
        # Imported here: the first use of PySide6's ``Qt`` namespace builds all its enums
        # (~20 ms), and the login page shows before anything else needs it
        # (docs/architecture.md#performance-budgets).
        from PySide6.QtCore import Qt

        if (
            isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not (event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            and isinstance(watched, QWidget)
        ):
            completer = getattr(watched, "completer", lambda: None)()
            popup = completer.popup() if completer is not None else None
            if popup is not None and popup.isVisible():
                return False  # let the completer take the choice first
            watched.focusNextChild()
            return True
        return bool(super().eventFilter(watched, event))


class EnterSubmits(QObject):
    """Event filter: Return/Enter in the fields of a form inside a bigger dialog does that
    form's action (add the account) instead of the dialog's default button, which would close
    the dialog and drop what was typed."""

    def __init__(self, action: Callable[[], None], *fields: QWidget) -> None:
        super().__init__(fields[0] if fields else None)
        self.action = action
        for field in fields:
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        from PySide6.QtCore import Qt

        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.action()
            return True
        return bool(super().eventFilter(watched, event))
