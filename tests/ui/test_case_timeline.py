"""The case timeline's table: who took each step is readable in full."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from dnw_desk.ui.case_timeline import TimelineView

CELL_MARGINS = 6


def test_a_three_character_name_and_its_staff_number_fit_the_by_column(qtbot: QtBot) -> None:
    """A one-line step (已登记, 已办结) showed "窗口人员 王小明 · 工号 …": the column was as wide
    as a two-character name, and such a row is one line high."""
    view = TimelineView()
    qtbot.addWidget(view)
    who = "窗口人员 王小明 · 工号 C0015"
    assert view.columnWidth(2) >= view.fontMetrics().horizontalAdvance(who) + CELL_MARGINS
