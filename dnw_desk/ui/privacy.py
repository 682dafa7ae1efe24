"""No case data on an unattended counter: dialogs step aside while no one is logged in.

The locked stack (the login page covering the screens) hides what the main window shows; a case
detail, an action dialog or a receipt preview is a window of its own and would stay on top of
it. On ``sig_actor_changed(None)`` (lock, log out) every visible dialog is hidden; when the same
person logs in again they come back as they were, and for anyone else they are closed (the
next shift does not inherit an open case).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, SignalInstance, Slot
from PySide6.QtWidgets import QApplication, QDialog

from dnw_desk.domain.roles import Actor


class PrivacyCurtain(QObject):
    def __init__(self, actor_changed: SignalInstance, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hidden: list[QDialog] = []
        self._hidden_for: str | None = None
        self._last_login: str | None = None
        actor_changed.connect(self.on_session_actor_changed)

    @Slot(object)
    def on_session_actor_changed(self, actor: Actor | None) -> None:
        if actor is None:
            self._draw()
        else:
            self._open(actor)
            self._last_login = actor.login

    def _draw(self) -> None:
        if self._hidden_for is None:
            self._hidden_for = self._last_login
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.hide()
                self.hidden.append(widget)

    def _open(self, actor: Actor) -> None:
        dialogs, self.hidden = self.hidden, []
        same = actor.login == self._hidden_for
        self._hidden_for = None
        # Children first (an action dialog over its case detail), so a parent closes last.
        for dialog in reversed(dialogs):
            try:
                if same:
                    dialog.show()
                else:
                    dialog.reject()
            except RuntimeError:  # deleted meanwhile (closed by its own code)
                continue
