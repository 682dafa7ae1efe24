"""The menus are declared once (ui/menus.py) and every screen drives its actions from there."""

from __future__ import annotations

from collections import Counter

from dnw_desk.i18n import _
from dnw_desk.ui.menus import ACTIONS, MENUS

from .conftest import DeskHarness


def test_every_action_is_in_exactly_one_menu() -> None:
    placed = Counter(item for _key, _title, items in MENUS for item in items if item)
    assert set(placed) == set(ACTIONS) and set(placed.values()) == {1}


def test_the_window_shows_the_declared_menus_in_order(harness: DeskHarness) -> None:
    bar = harness.window.menuBar()
    titles = [action.text() for action in bar.actions()]
    assert titles == [_(title) for _key, title, _items in MENUS]
    screens = harness.screens
    menus = harness.window.menus
    # The screens hold the declared actions, not copies of their own.
    assert screens.session.register_action is menus.action("register")
    assert screens.queue.review_action is menus.action("review")
    assert screens.sync.sync_action is menus.action("sync_now")
