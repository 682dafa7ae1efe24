"""Bar charts of the review (QtCharts): counts per category and per unit.

Qt hides a category label that would overlap its neighbour, and rounds fractional ticks to
the "%d" format ("0 0 0 0 1"). So a chart shows at most ``max_bars`` bars (the rest summed in
one "Other" bar), is never shorter than those bars need for one label each, and its value axis
steps by whole numbers.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QWidget

from dnw_desk.i18n import _

SERIES_COLOURS = ("#3b6fb6", "#d9822b", "#c23030")
LABEL_COLOUR = "#202124"
MAX_BARS = 8
# Lines of text around the plot: the title, the legend, the value axis' labels, and margins.
CHROME_LINES = 8
# Qt draws a label in a box this much taller than its text line and hides any box that would
# overlap its neighbour's: a category row needs at least that much.
LABEL_BOX_EXTRA = 8
MAX_TICK_INTERVALS = 5


def _short(text: str, limit: int = 14) -> str:
    """At most ``limit`` Chinese characters' width: a Latin letter counts half (the English
    names are as long in letters as the Chinese in characters, and take half the room)."""

    def width(char: str) -> int:
        return 2 if unicodedata.east_asian_width(char) in "WF" else 1

    if sum(map(width, text)) <= 2 * limit:
        return text
    kept, used = "", 0
    for char in text:
        used += width(char)
        if used > 2 * (limit - 1):
            break
        kept += char
    return kept + "…"


Bars = Sequence[tuple[str, Sequence[int]]]


def fold_bars(bars: Bars, max_bars: int, other: str) -> list[tuple[str, tuple[int, ...]]]:
    """The first ``max_bars - 1`` bars and one ``other`` bar summing the rest (all bars when
    they fit), so every bar drawn has room for its label and no count goes missing."""
    listed = [(name, tuple(int(v) for v in values)) for name, values in bars]
    if len(listed) <= max_bars:
        return listed
    kept, rest = listed[: max_bars - 1], listed[max_bars - 1 :]
    summed = tuple(sum(values) for values in zip(*(values for _n, values in rest), strict=True))
    return [*kept, (other, summed)]


def integer_ticks(peak: int) -> tuple[int, int]:
    """(axis maximum, tick step): whole-number ticks of 1, 2 or 5 × 10ⁿ, at most
    MAX_TICK_INTERVALS intervals, with room above the longest bar for its value label."""
    wanted = max(1, math.ceil(max(peak, 1) * 1.1))
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(wanted / step) <= MAX_TICK_INTERVALS:
                return math.ceil(wanted / step) * step, step
        magnitude *= 10


class BarChartView(QChartView):
    """Horizontal grouped bars; ``set_data`` replaces the series (no animation: it redraws
    on every refresh and must stay cheap)."""

    def __init__(
        self, title: str, parent: QWidget | None = None, *, max_bars: int = MAX_BARS
    ) -> None:
        super().__init__(parent)
        self.max_bars = max_bars
        self.chart_ = QChart()
        self.chart_.setTitle(title)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.setMargins(self.chart_.margins() * 0)
        self.setChart(self.chart_)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._fit_height(QFontMetrics(self.font()).height())
        self.categories: list[str] = []
        self.series_values: dict[str, list[int]] = {}
        self.axis_max = 1
        self.tick_step = 1

    def set_data(self, series_names: Sequence[str], bars: Bars) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        # Horizontal bars draw the first category at the bottom: reverse so the list reads
        # top-down like the table.
        ordered = list(reversed(fold_bars(bars, self.max_bars, _("Other"))))
        self.categories = [_short(name) for name, _values in ordered]
        self.series_values = {}
        series = QHorizontalBarSeries()
        for index, name in enumerate(series_names):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)]))
            bar_set.setLabelColor(QColor(LABEL_COLOUR))
            values = [values[index] for _name, values in ordered]
            bar_set.append(values)
            self.series_values[name] = values
            series.append(bar_set)
        series.setLabelsVisible(True)
        # Outside the bar's end: a count inside a short bar is cut off or unreadable.
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.setTruncateLabels(False)  # names are shortened above; Qt would elide more
        categories.append(self.categories or [""])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        self._fit_height(QFontMetrics(categories.labelsFont()).height())
        chart.addAxis(self._values_axis(), Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(chart.axes(Qt.Orientation.Horizontal)[0])

    def _fit_height(self, line: int) -> None:
        """Sized for the most bars the chart can show, whatever it shows now: the page does not
        jump between refreshes, and no label is ever hidden for lack of room."""
        row = line + LABEL_BOX_EXTRA
        self.setMinimumHeight(line * CHROME_LINES + row * self.max_bars)

    def _values_axis(self) -> QValueAxis:
        peak = max((v for values in self.series_values.values() for v in values), default=0)
        self.axis_max, self.tick_step = integer_ticks(peak)
        axis = QValueAxis()
        axis.setRange(0, self.axis_max)
        axis.setTickCount(self.axis_max // self.tick_step + 1)
        axis.setMinorTickCount(0)
        axis.setLabelFormat("%d")
        return axis
