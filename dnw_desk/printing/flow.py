"""Where a layout's lines break: one planner for the raster image, the PDF and the text mode.

Each renderer measures differently (Qt font metrics in dots, reportlab widths in points, printer
columns by encoded bytes) but breaks lines by the same rules, so it hands its measure function to
these and only positions and draws what comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from dnw_desk.printing.layout import Field
from dnw_desk.printing.textwrap_cjk import tokens, wrap

Measure = Callable[[str], float]
Size = TypeVar("Size")

# A label wider than this share of the line goes on a line of its own, the value below it:
# beside it the value would be squeezed into a narrow column.
LABEL_SHARE = 0.45


@dataclass(frozen=True)
class FieldLines:
    """A field broken into lines. ``stacked``: the label on its own line and the value's lines
    below it from the margin; else the label beside the first value line and every value line
    indented by ``indent`` (the label's width)."""

    label: str
    values: tuple[str, ...]
    stacked: bool
    indent: float


def field_lines(
    field: Field, width: float, measure_label: Measure, measure_value: Measure
) -> FieldLines:
    label_width = measure_label(field.label)
    available = width - label_width
    # A word (an ID number, a URL) that would be cut next to the label: stack instead.
    if label_width > width * LABEL_SHARE or any(
        measure_value(token) > available for token in tokens(field.value)
    ):
        return FieldLines(field.label, tuple(wrap(field.value, width, measure_value)), True, 0.0)
    values = wrap(field.value, available, measure_value) or [""]
    return FieldLines(field.label, tuple(values), False, label_width)


def largest_fitting(
    text: str, width: float, sizes: Iterable[Size], measure: Callable[[Size], Measure]
) -> Size:
    """The first of ``sizes`` (largest first) at which ``text`` fits on one line, else the last:
    the case number stays on one line."""
    size = None
    for size in sizes:
        if measure(size)(text) <= width:
            return size
    if size is None:
        raise ValueError("no sizes to choose from")
    return size
