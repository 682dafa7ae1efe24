"""Bar charts of the review (QtCharts): counts per category and per unit."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

SERIES_COLOURS = ("#3b6fb6", "#d9822b", "#c23030")


def _short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BarChartView(QChartView):
    """Horizontal grouped bars; ``set_data`` replaces the series (no animation: it redraws
    on every refresh and must stay cheap)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart_ = QChart()
        self.chart_.setTitle(title)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.setMargins(self.chart_.margins() * 0)
        self.setChart(self.chart_)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.categories: list[str] = []
        self.series_values: dict[str, list[int]] = {}

    def set_data(
        self, series_names: Sequence[str], bars: Sequence[tuple[str, Sequence[int]]]
    ) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        # Horizontal bars draw the first category at the bottom: reverse so the list reads
        # top-down like the table.
        ordered = list(reversed(bars))
        self.categories = [_short(name) for name, _values in ordered]
        self.series_values = {}
        series = QHorizontalBarSeries()
        for index, name in enumerate(series_names):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)]))
            values = [int(values[index]) for _name, values in ordered]
            bar_set.append(values)
            self.series_values[name] = values
            series.append(bar_set)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.setTruncateLabels(False)  # unit names are short; Qt elides them to "…"
        categories.append(self.categories or [""])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        values_axis = QValueAxis()
        peak = max((v for values in self.series_values.values() for v in values), default=0)
        values_axis.setRange(0, max(peak, 1) * 1.15)
        values_axis.setLabelFormat("%d")
        chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values_axis)
