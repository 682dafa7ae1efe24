"""The main window's menus and their actions, declared once.

Each screen takes its actions from the ``MenuBar`` by key and connects them; no screen builds or
inserts menus of its own, so the order of the bar and of each menu is read here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from dnw_desk.i18n import N_, _


@dataclass(frozen=True)
class ActionSpec:
    text: str  # msgid
    shortcut: str = ""  # a QKeySequence string; the platform's own (Quit) is set by its owner
    object_name: str = ""


ACTIONS: dict[str, ActionSpec] = {
    "quit": ActionSpec(N_("E&xit")),
    "register": ActionSpec(N_("&New registration"), "F2"),
    "lock": ActionSpec(N_("&Lock"), "Ctrl+L"),
    "logout": ActionSpec(N_("Log &out (end of shift)")),
    "settings": ActionSpec(N_("&Settings…"), object_name="settingsAction"),
    "sync_now": ActionSpec(N_("S&ync now"), object_name="syncNowAction"),
    "sync_conflicts": ActionSpec(N_("Sync &conflicts…"), object_name="syncConflictsAction"),
    "queue": ActionSpec(N_("&Queue"), "F6"),
    "review": ActionSpec(N_("&Review of the day"), "F7"),
    "about": ActionSpec(N_("&About dnw-desk")),
}

# (key, title, actions in order; None is a separator). *File* and *Help* work before anyone
# logs in; the others are enabled by the screens that own their actions.
MENUS: tuple[tuple[str, str, tuple[str | None, ...]], ...] = (
    ("file", N_("&File"), ("quit",)),
    (
        "desk",
        N_("&Desk"),
        ("register", None, "lock", "logout", None, "settings", None, "sync_now", "sync_conflicts"),
    ),
    ("cases", N_("&Cases"), ("queue", "review")),
    ("help", N_("&Help"), ("about",)),
)
ALWAYS_ENABLED = frozenset({"file", "help"})


class MenuBar:
    """The window's menus and actions, built from ``MENUS`` and ``ACTIONS``."""

    def __init__(self, window: QMainWindow) -> None:
        self.menus: dict[str, QMenu] = {}
        self.actions: dict[str, QAction] = {}
        for key, title, items in MENUS:
            menu = window.menuBar().addMenu(_(title))
            menu.setObjectName(f"{key}Menu")
            self.menus[key] = menu
            for item in items:
                if item is None:
                    menu.addSeparator()
                    continue
                spec = ACTIONS[item]
                action = QAction(_(spec.text), window)
                if spec.shortcut:
                    action.setShortcut(QKeySequence(spec.shortcut))
                if spec.object_name:
                    action.setObjectName(spec.object_name)
                menu.addAction(action)
                self.actions[item] = action
            if key not in ALWAYS_ENABLED:
                menu.menuAction().setEnabled(False)  # until a screen takes it over

    def action(self, key: str) -> QAction:
        return self.actions[key]

    def menu(self, key: str) -> QMenu:
        return self.menus[key]

    def set_enabled(self, enabled: bool) -> None:
        """Every menu but *File* and *Help*: off behind the login page, on for the one logged
        in."""
        for key, menu in self.menus.items():
            if key not in ALWAYS_ENABLED:
                menu.menuAction().setEnabled(enabled)
