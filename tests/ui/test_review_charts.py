"""The review's bar charts with real numbers (issue 11, defect 10): whole-number ticks, a
label for every bar drawn, nothing lost to the "Other" bar, a height that does not depend on
the data."""

from __future__ import annotations

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QGraphicsItem
from pytestqt.qtbot import QtBot

from dnw_desk.i18n import _
from dnw_desk.ui.look import LARGE_FONT_SCALE
from dnw_desk.ui.review.charts import MAX_BARS, BarChartView, integer_ticks

SERIES = ["待反馈", "逾期", "退单"]
UNITS = [
    (f"省测试单位{index:02d}", (index % 4, index % 2, 1 if index == 19 else 0))
    for index in range(20)
]


def _axes(view: BarChartView) -> tuple[QBarCategoryAxis, QValueAxis]:
    categories = view.chart_.axes(Qt.Orientation.Vertical)[0]
    values = view.chart_.axes(Qt.Orientation.Horizontal)[0]
    assert isinstance(categories, QBarCategoryAxis) and isinstance(values, QValueAxis)
    return categories, values


def _tick_values(axis: QValueAxis) -> list[float]:
    count = axis.tickCount()
    return [axis.min() + i * (axis.max() - axis.min()) / (count - 1) for i in range(count)]


@pytest.mark.parametrize("peak", [0, 1, 2, 3, 7, 10, 23, 99, 480])
def test_ticks_are_whole_numbers(peak: int) -> None:
    top, step = integer_ticks(peak)
    assert top >= peak and top % step == 0 and 1 <= top // step <= 5


def test_one_case_gives_ticks_0_1_2_not_0_0_0_0_1(qtbot: QtBot) -> None:
    view = BarChartView("按责任单位")
    qtbot.addWidget(view)
    view.set_data(SERIES, [("省公安厅", (1, 0, 0))])
    _categories, values = _axes(view)
    ticks = _tick_values(values)
    assert all(t == int(t) for t in ticks) and len(set(int(t) for t in ticks)) == len(ticks)


def test_twenty_units_each_bar_labelled_and_nothing_lost(qtbot: QtBot) -> None:
    view = BarChartView("按责任单位")
    qtbot.addWidget(view)
    view.set_data(SERIES, UNITS)
    _categories, values = _axes(view)
    assert len(view.categories) == MAX_BARS
    assert view.categories[0] == _("Other")  # drawn last, at the bottom
    assert view.categories[-1] == "省测试单位00"  # the first (most overdue) at the top
    for index, name in enumerate(SERIES):
        assert sum(view.series_values[name]) == sum(values_[index] for _u, values_ in UNITS)
    assert all(t == int(t) for t in _tick_values(values))


def _category_labels(view: BarChartView) -> list[QGraphicsItem]:
    """The category axis' label boxes: Qt's private label items (plain QGraphicsItem to
    Python) left of the plot. Qt hides a box that would overlap its neighbour."""
    plot = view.chart_.plotArea()
    return [
        item
        for item in view.scene().items()
        if type(item) is QGraphicsItem
        and item.sceneBoundingRect().width() > 4  # not the 2-pixel tick marks, nor empty items
        and item.sceneBoundingRect().right() <= plot.left() + 1
    ]


@pytest.mark.parametrize("scale", [1.0, LARGE_FONT_SCALE])
def test_at_its_smallest_every_bar_has_its_label(
    qtbot: QtBot, qapp: QApplication, scale: float
) -> None:
    previous = qapp.font()
    font = QFont(previous)
    font.setPointSizeF(max(previous.pointSizeF(), 9.0) * scale)
    qapp.setFont(font)
    try:
        view = BarChartView("按责任单位")
        qtbot.addWidget(view)
        view.set_data(SERIES, UNITS)
        view.resize(420, view.minimumHeight())
        view.show()
        qtbot.waitExposed(view)
        labels = _category_labels(view)
        assert len(labels) == MAX_BARS
        assert all(item.isVisible() for item in labels)
    finally:
        qapp.setFont(previous)


def test_the_height_does_not_follow_the_data(qtbot: QtBot) -> None:
    view = BarChartView("按类别")
    qtbot.addWidget(view)
    before = view.minimumHeight()
    view.set_data(SERIES, UNITS[:2])
    assert view.minimumHeight() == before
    view.set_data(SERIES, UNITS)
    assert view.minimumHeight() == before


def test_a_label_is_shortened_by_its_width_not_its_letters() -> None:
    """In English the category names were cut after 14 letters ("applied (onli…"), half the
    room 14 Chinese characters take."""
    from dnw_desk.ui.review.charts import _short

    assert _short("matter under litigation") == "matter under litigation"
    chinese = "申请省级政务服务事项，材料齐全、符合法定形式"
    assert _short(chinese) == chinese[:13] + "…"
