"""A horizontal grouped bar chart drawn with reportlab graphics (labels in mixed fonts).

reportlab's own bar charts take one font for all labels, which cannot draw both Chinese unit
names and digits here (see ``reports.fonts``), so the few shapes are placed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Line, Rect
from reportlab.lib import colors

from dnw_desk.reports.fonts import label, string_width

SERIES_COLOURS = (
    colors.HexColor("#3b6fb6"),  # blue
    colors.HexColor("#d9822b"),  # orange
    colors.HexColor("#c23030"),  # red
)


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]


def bar_chart(
    title: str,
    series: Sequence[str],
    bars: Sequence[Bar],
    width: float,
    *,
    max_bars: int = 12,
    font_size: float = 8,
) -> Drawing:
    """Bars grouped per label (one colour per series), a legend, value labels at bar ends."""
    shown = list(bars[:max_bars])
    bar_height = font_size * 0.9
    row = bar_height * max(1, len(series)) + 5
    legend_height = font_size + 8
    title_height = font_size * 1.4 + 6
    height = title_height + legend_height + row * max(1, len(shown)) + 6
    drawing = Drawing(width, height)
    drawing.add(label(0, height - font_size * 1.4, title, font_size * 1.3))
    # Legend under the title.
    x = 0.0
    legend_y = height - title_height - font_size
    for index, name in enumerate(series):
        drawing.add(
            Rect(x, legend_y, font_size, font_size, fillColor=SERIES_COLOURS[index], strokeWidth=0)
        )
        drawing.add(label(x + font_size + 3, legend_y + 1, name, font_size))
        x += font_size + 3 + string_width(name, font_size) + 12
    label_width = min(
        width * 0.35, max((string_width(b.label, font_size) for b in shown), default=0) + 6
    )
    plot_left = label_width
    plot_width = width - label_width - 30
    peak = max((v for b in shown for v in b.values), default=0) or 1
    top = legend_y - 6
    for index, bar in enumerate(shown):
        y_top = top - index * row
        text = bar.label
        while text and string_width(text, font_size) > label_width - 6:
            text = text[:-2] + "…"
        drawing.add(
            label(plot_left - 4, y_top - row / 2 - font_size / 3, text, font_size, anchor="end")
        )
        for series_index, value in enumerate(bar.values):
            y = y_top - 2 - (series_index + 1) * bar_height
            length = plot_width * value / peak
            drawing.add(
                Rect(
                    plot_left,
                    y,
                    max(length, 0.5),
                    bar_height - 1,
                    fillColor=SERIES_COLOURS[series_index % len(SERIES_COLOURS)],
                    strokeWidth=0,
                )
            )
            drawing.add(label(plot_left + length + 3, y + 1, str(value), font_size * 0.8))
    drawing.add(
        Line(plot_left, top, plot_left, top - row * max(1, len(shown)), strokeColor=colors.grey)
    )
    return drawing
