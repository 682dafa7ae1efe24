"""Issue 11, defect 9: with the large font at 1366×768 the queue cut its key columns
("HF03-20261124-0…", "已逾期7小时0…") while the alert column stood wide and empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dnw_desk.i18n import set_language
from dnw_desk.ui.look import LARGE_FONT_SCALE
from dnw_desk.ui.queue.columns import SHARED_FLOOR_CHARS
from dnw_desk.ui.queue.model import Column
from tests.factories import register
from tests.ui.conftest import LEAD, DeskHarness, make_harness

KEY_COLUMNS = (Column.NUMBER, Column.DEADLINE, Column.TIME_LEFT, Column.STATUS)
# Qt's item delegate keeps this much of a cell for its margins (focus frame + 1 px each side).
CELL_MARGINS = 6


@pytest.fixture
def large_font(qapp: QApplication) -> Iterator[None]:
    """The large-font setting as the desk applies it at start (setup_qt_look), undone after."""
    previous = qapp.font()
    font = QFont(previous)
    size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * LARGE_FONT_SCALE)
    qapp.setFont(font)
    yield
    qapp.setFont(previous)


@pytest.fixture
def lead_desk(qtbot: QtBot, data_dir: Path, large_font: None) -> Iterator[DeskHarness]:
    harness = make_harness(qtbot, data_dir)
    for index in range(3):
        register(harness.desk, lead_unit="省人力资源社会保障厅" if index else "省公安厅")
    harness.clock.advance(days=6)  # every case long overdue: the longest countdown text
    harness.login(qtbot, LEAD[0], LEAD[2])
    yield harness
    harness.close()


def test_large_font_at_1366_never_elides_the_key_columns(
    qtbot: QtBot, lead_desk: DeskHarness
) -> None:
    features = lead_desk.screens.queue
    features.show_queue()
    page = features.queue_page
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert lead_desk.window.width() == 1366
    model, table = page.model, page.table
    for column in KEY_COLUMNS:
        texts = [str(model.index(row, column).data()) for row in range(model.rowCount())]
        font = model.index(0, column).data(Qt.ItemDataRole.FontRole) or table.font()
        longest = max(QFontMetrics(font).horizontalAdvance(text) for text in texts)
        assert table.columnWidth(column) >= longest + CELL_MARGINS, (column, texts)
    overdue = str(model.index(0, Column.TIME_LEFT).data())
    assert "小时" in overdue and "分" in overdue  # the overdue text really is the long form
    # Everything fits the window: no column pushed off to the right.
    total = sum(table.columnWidth(c) for c in Column)
    assert total <= table.viewport().width()
    assert table.columnWidth(Column.LEVEL) < table.columnWidth(Column.TIME_LEFT) * 2


def test_the_key_columns_grow_with_what_is_loaded(qtbot: QtBot, lead_desk: DeskHarness) -> None:
    features = lead_desk.screens.queue
    page = features.queue_page
    lead_desk.clock.advance(days=400)  # overdue by thousands of hours
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    text = str(page.model.index(0, Column.TIME_LEFT).data())
    width = QFontMetrics(page.table.font()).horizontalAdvance(text)
    assert page.table.columnWidth(Column.TIME_LEFT) >= width + CELL_MARGINS


def test_in_english_the_category_and_unit_stay_readable(qtbot: QtBot, data_dir: Path) -> None:
    """The English headers are wider: the shared columns were squeezed to "tegc" and "nsib"."""
    set_language("en")
    try:
        harness = make_harness(qtbot, data_dir)
        register(harness.desk, lead_unit="省人力资源社会保障厅")
        harness.login(qtbot, LEAD[0], LEAD[2])
        features = harness.screens.queue
        features.show_queue()
        page = features.queue_page
        page.refresh()
        qtbot.waitUntil(lambda: page.model.rowCount() == 1)
        floor = QFontMetrics(page.table.font()).horizontalAdvance(SHARED_FLOOR_CHARS)
        for column in (Column.CATEGORY, Column.UNIT):
            assert page.table.columnWidth(column) >= floor, column
        harness.close()
    finally:
        set_language("zh_CN")
