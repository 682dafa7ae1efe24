"""The queue's column widths, from the font in use (the large-font setting included).

The case number, the deadline and the countdown are what a clerk reads out or acts on, so those
columns (and the short status, registration time and alert ones) are sized to the longest text
they can hold and are never elided; the complainant, the category and the unit — free text of
any length — share the rest of the width.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import Status
from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.numbering import MAX_SERIAL, format_case_number
from dnw_desk.i18n import _
from dnw_desk.services.queue import Countdown, format_countdown
from dnw_desk.ui.queue.model import (
    Column,
    QueueModel,
    deadline_text,
    number_font,
    registered_text,
    status_text,
)

FITTED = (
    Column.NUMBER,
    Column.REGISTERED,
    Column.STATUS,
    Column.DEADLINE,
    Column.TIME_LEFT,
    Column.LEVEL,
)
SHARED = (Column.CATEGORY, Column.UNIT)
# A complainant column wide enough for most names (longer ones are elided, with the full case
# a double-click away); masked names are short.
COMPLAINANT_CHARS = "欧阳娜娜娜娜娜"
# The least the category and the unit get: a unit's usual name. Narrower, the table scrolls
# sideways instead (English headers and the large font leave less to share).
SHARED_FLOOR_CHARS = "省市场监督管理局"
# Digits are equally wide in the desk's fonts; 12-28 18:58 stands for any moment.
WIDE_MOMENT = datetime(2026, 12, 28, 18, 58)
# Three-digit hours: a case overdue for weeks (longer ones widen the column as they load).
LONG_SPAN = timedelta(hours=888, minutes=58)
FALLBACK_NUMBER = "AH08-20261124-0000K"


def sample_texts(hall_code: str, window_no: str, today: date) -> dict[Column, list[str]]:
    """The longest text each fitted column can show for this desk."""
    levels = [level for level in AlertLevel if level is not AlertLevel.NONE]
    try:
        number = format_case_number(hall_code, window_no, today, MAX_SERIAL)
    except DomainError:  # a desk not set up yet: the default hall's length
        number = FALLBACK_NUMBER
    return {
        Column.NUMBER: [number],
        Column.REGISTERED: [registered_text(WIDE_MOMENT)],
        Column.STATUS: [status_text(status.value) for status in Status],
        Column.DEADLINE: [deadline_text(WIDE_MOMENT, provisional=True)],
        Column.TIME_LEFT: [
            format_countdown(Countdown(LONG_SPAN, timedelta(0), AlertLevel.NONE)),
            format_countdown(Countdown(timedelta(0), LONG_SPAN, AlertLevel.OVERDUE)),
        ],
        Column.LEVEL: [_(level.label) for level in levels],
    }


def _font_of(table: QTableView, column: Column) -> QFont:
    if column is Column.NUMBER:
        font = number_font()
        font.setPointSizeF(table.font().pointSizeF())
        return font
    return table.font()


def _cell_margins(table: QTableView) -> int:
    # What the item delegate keeps of a cell around its text: the focus frame and one pixel,
    # each side, plus a pixel of air.
    frame = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
    return 2 * (frame + 1) + 2


def fit_column(table: QTableView, column: Column, texts: Iterable[str]) -> None:
    """Widen ``column`` to the widest of ``texts`` and its header (never narrow it)."""
    metrics = QFontMetrics(_font_of(table, column))
    widest = max((metrics.horizontalAdvance(text) for text in texts), default=0)
    needed = max(widest + _cell_margins(table), table.horizontalHeader().sectionSizeHint(column))
    if table.columnWidth(column) < needed:
        table.setColumnWidth(column, needed)


def fit_columns(table: QTableView, samples: dict[Column, list[str]]) -> None:
    """First sizing: fitted columns to their samples, the free-text ones share the rest."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column in FITTED:
        table.setColumnWidth(column, 0)
        fit_column(table, column, samples[column])
    table.setColumnWidth(Column.COMPLAINANT, 0)
    fit_column(table, Column.COMPLAINANT, [COMPLAINANT_CHARS])
    share_the_rest(table)


def share_the_rest(table: QTableView) -> None:
    """The category and the unit share the width the other columns leave, each at least
    ``SHARED_FLOOR_CHARS`` wide."""
    header = table.horizontalHeader()
    shown = [column for column in Column if not header.isSectionHidden(column)]
    used = sum(table.columnWidth(column) for column in shown if column not in SHARED)
    sharing = [column for column in SHARED if column in shown]
    if not sharing:
        return
    floor = QFontMetrics(table.font()).horizontalAdvance(SHARED_FLOOR_CHARS)
    width = max(floor + _cell_margins(table), (table.viewport().width() - used) // len(sharing))
    for column in sharing:
        table.setColumnWidth(column, width)


def fit_rows(table: QTableView, model: QueueModel, first: int, last: int) -> None:
    """Widen the fitted columns for a value of rows first..last longer than the samples (a
    countdown of a case overdue for months, a number from another window). Called for the
    visible rows only: their countdowns are computed for painting anyway."""
    if first < 0:
        return
    rows = range(first, min(last, model.rowCount() - 1) + 1)
    for column in FITTED:
        # Each distinct text measured once (a status, a day repeat down the column).
        fit_column(table, column, {model.text(row, column) for row in rows})
    share_the_rest(table)
