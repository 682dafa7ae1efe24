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


def test_in_a_narrow_view_the_details_keep_room_and_the_time_stays_whole(qtbot: QtBot) -> None:
    """At the large font on 1366×768 the time, step and 经办人 columns took the whole view and
    the details were a column one character wide (单/场/办 …)."""
    from PySide6.QtGui import QFont

    view = TimelineView()
    qtbot.addWidget(view)
    font = QFont(view.font())
    font.setPointSizeF((font.pointSizeF() if font.pointSizeF() > 0 else 10.0) * 1.3)
    view.setFont(font)
    view.resize(575, 350)
    view.show()
    qtbot.waitExposed(view)
    metrics = view.fontMetrics()
    qtbot.waitUntil(
        lambda: view.columnWidth(3) >= metrics.horizontalAdvance("单位：省住房城乡建设厅"),
        timeout=2000,
    )
    assert view.columnWidth(0) >= metrics.horizontalAdvance("2026-11-24 10:32") + CELL_MARGINS
    assert sum(view.columnWidth(c) for c in range(4)) <= view.viewport().width() + 1
    # Who took the step may wrap, but its staff number is never cut ("工号 …").
    assert view.columnWidth(2) >= metrics.horizontalAdvance("工号 C0015") + CELL_MARGINS
