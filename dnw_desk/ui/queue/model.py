"""The queue's table model: a window onto the SQL query, fetched a page at a time.

A real ``QAbstractTableModel`` (Anki's browser model is the pattern): rows are frozen
``QueueRow`` values, columns are declared once, sorting and filtering are SQL. Only the first
page is read when the query changes; the view asks for more through ``canFetchMore`` /
``fetchMore`` as the user scrolls. Queries run on the task runner; a result from an outdated
query (the user typed on) is dropped by its generation number.

The countdown is computed per visible row and cached per tick; ``tick`` repaints only the rows
the view shows, and only the two live columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from dnw_desk.clock import Clock
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import STATUS_LABELS, Status
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_, _
from dnw_desk.services.queue import (
    Countdown,
    QueueQuery,
    QueueRow,
    QueueService,
    SortKey,
    countdown_of,
    format_countdown,
)
from dnw_desk.services.reference_data import CategoryNames

PAGE_SIZE = 200
_ROOT = QModelIndex()
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 2

LEVEL_COLOURS = {
    AlertLevel.REMINDER: QColor("#d6e6fb"),
    AlertLevel.WARNING: QColor("#ffe58f"),
    AlertLevel.OVERDUE: QColor("#f6b8b0"),
    AlertLevel.ESCALATED: QColor("#d9534f"),
}
LEVEL_TEXT_COLOURS = {AlertLevel.ESCALATED: QColor("#ffffff")}


class Column(IntEnum):
    NUMBER = 0
    REGISTERED = 1
    COMPLAINANT = 2
    CATEGORY = 3
    UNIT = 4
    STATUS = 5
    DEADLINE = 6
    TIME_LEFT = 7
    LEVEL = 8


@dataclass(frozen=True)
class ColumnSpec:
    title: str  # msgid
    sort: SortKey | None


COLUMNS: dict[Column, ColumnSpec] = {
    Column.NUMBER: ColumnSpec(N_("Case number"), SortKey.NUMBER),
    Column.REGISTERED: ColumnSpec(N_("Registered at"), SortKey.REGISTERED),
    Column.COMPLAINANT: ColumnSpec(N_("Complainant"), None),
    Column.CATEGORY: ColumnSpec(N_("Category"), SortKey.CATEGORY),
    Column.UNIT: ColumnSpec(N_("Responsible unit"), SortKey.UNIT),
    Column.STATUS: ColumnSpec(N_("Status"), SortKey.STATUS),
    Column.DEADLINE: ColumnSpec(N_("Deadline"), SortKey.TIME_LEFT),
    Column.TIME_LEFT: ColumnSpec(N_("Working time left"), SortKey.TIME_LEFT),
    Column.LEVEL: ColumnSpec(N_("Alert"), SortKey.LEVEL),
}
LIVE_COLUMNS = (Column.TIME_LEFT, Column.LEVEL)
# ``data`` runs for every role of every visible cell on each repaint (~1 500 calls): the roles
# and columns as plain ints and tuples, not enum conversions and comparisons.
_COLUMNS = tuple(Column)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def number_font() -> QFont:
    """Case numbers in a monospaced face: 0/O and 1/I stay apart when read to a citizen."""
    font = QFont()
    font.setFamilies(["DejaVu Sans Mono", "monospace"])
    return font


def registered_text(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def deadline_text(deadline: datetime | None, provisional: bool) -> str:
    if deadline is None:
        return ""
    mark = " " + _("(provisional)") if provisional else ""
    return f"{deadline:%m-%d %H:%M}{mark}"


def status_text(status: str) -> str:
    try:
        return _(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


class QueueModel(QAbstractTableModel):
    sig_loaded = Signal(int)
    """The rows loaded so far, after the query changed or another page arrived."""

    sig_failed = Signal(str)
    """A query failed; the message says why."""

    def __init__(
        self,
        service: QueueService,
        tasks: Any,
        clock: Clock,
        working_time: WorkingTime,
        level_of: Any,
        category_labels: CategoryNames | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = tasks
        self.clock = clock
        self.working_time = working_time
        self.level_of = level_of
        self.category_labels = category_labels if category_labels is not None else CategoryNames()
        self._query = QueueQuery()
        self._rows: list[QueueRow] = []
        self._more = False
        self._fetching = False
        self._generation = 0
        self._now = clock()
        self._countdowns: dict[str, Countdown | None] = {}
        self._number_font = number_font()

    # --- the query -----------------------------------------------------------------------------

    @property
    def query(self) -> QueueQuery:
        return self._query

    def set_query(self, query: QueueQuery) -> None:
        self._query = query
        self.reload()

    def reload(self, keep: int = 0) -> None:
        """Run the query again from the top (``keep`` rows at least, to keep the scroll)."""
        self._generation += 1
        generation = self._generation
        query = self._query
        today = self.clock().date()
        limit = max(PAGE_SIZE, keep)
        self._fetching = True
        self.tasks.run(
            lambda: self.service.page(query, today, 0, limit),
            lambda page: self._on_first_page(generation, page),
            self._on_failed,
            lane="read",
        )

    def _on_first_page(self, generation: int, page: Any) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = list(page.rows)
        self._more = page.more
        self._fetching = False
        self._countdowns.clear()
        self._now = self.clock()
        self.endResetModel()
        self.sig_loaded.emit(len(self._rows))

    def _on_failed(self, error: BaseException) -> None:
        self._fetching = False
        self.sig_failed.emit(str(error))

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> bool:
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        query, offset = self._query, len(self._rows)
        today = self.clock().date()
        self.tasks.run(
            lambda: self.service.page(query, today, offset, PAGE_SIZE),
            lambda page: self._on_next_page(generation, page),
            self._on_failed,
            lane="read",
        )

    def _on_next_page(self, generation: int, page: Any) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if page.offset != len(self._rows):
            return
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._more = page.more
        self.sig_loaded.emit(len(self._rows))

    # --- the countdown -------------------------------------------------------------------------

    def tick(self, first: int, last: int) -> None:
        """A new "now": drop cached countdowns and repaint the live cells of rows first..last
        (the visible ones)."""
        self._now = self.clock()
        self._countdowns.clear()
        if not self._rows or first < 0:
            return
        last = min(last if last >= 0 else len(self._rows) - 1, len(self._rows) - 1)
        if last < first:
            return
        self.dataChanged.emit(
            self.index(first, min(LIVE_COLUMNS)),
            self.index(last, max(LIVE_COLUMNS)),
            [
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.BackgroundRole,
                Qt.ItemDataRole.ForegroundRole,
            ],
        )

    def countdown(self, row: QueueRow) -> Countdown | None:
        if row.id not in self._countdowns:
            self._countdowns[row.id] = countdown_of(
                row, self._now, self.working_time, self.level_of
            )
        return self._countdowns[row.id]

    def level(self, row: QueueRow) -> AlertLevel:
        countdown = self.countdown(row)
        return countdown.level if countdown else AlertLevel.NONE

    # --- Qt model interface --------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(COLUMNS[Column(section)].title)
        elif orientation is Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        number = index.row()
        if not 0 <= number < len(self._rows) or not index.isValid():
            return None
        row = self._rows[number]
        column = _COLUMNS[index.column()]
        role = int(role)
        if role == _DISPLAY:
            return self._display(row, column)
        if role in (_BACKGROUND, _FOREGROUND):
            if column not in LIVE_COLUMNS:
                return None
            colours = LEVEL_COLOURS if role == _BACKGROUND else LEVEL_TEXT_COLOURS
            colour = colours.get(self.level(row))
            return QBrush(colour) if colour is not None else None
        if role == _FONT:
            return self._number_font if column is Column.NUMBER else None
        if role == _ALIGNMENT:
            return _RIGHT if column is Column.TIME_LEFT else None
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        if role == CASE_ID_ROLE:
            return row.id
        if role == LEVEL_ROLE:
            return int(self.level(row))
        return None

    def text(self, row: int, column: Column) -> str:
        """What a cell shows, without a model index (fitting the columns reads many cells)."""
        return self._display(self._rows[row], column)

    def _display(self, row: QueueRow, column: Column) -> str:
        if column is Column.NUMBER:
            return row.number
        if column is Column.REGISTERED:
            return registered_text(row.registered_at)
        if column is Column.COMPLAINANT:
            return row.complainant
        if column is Column.CATEGORY:
            return self.category_labels[row.category]
        if column is Column.UNIT:
            return row.unit or ""
        if column is Column.STATUS:
            return status_text(row.status)
        if column is Column.DEADLINE:
            return deadline_text(row.deadline, row.deadline_provisional)
        if column is Column.TIME_LEFT:
            return format_countdown(self.countdown(row))
        level = self.level(row)
        return "" if level is AlertLevel.NONE else _(level.label)

    def _tooltip(self, row: QueueRow, column: Column) -> str | None:
        if column is Column.CATEGORY:
            return self.category_labels[row.category]
        if column is Column.DEADLINE and row.deadline_provisional:
            return _("Provisional: the calendar for this period is not official yet.")
        if column is Column.UNIT and row.returns:
            return _("Returned {count} times").format(count=row.returns)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        spec = COLUMNS.get(Column(column)) if 0 <= column < len(COLUMNS) else None
        if spec is None or spec.sort is None:
            return
        descending = order is Qt.SortOrder.DescendingOrder
        if replace(self._query, sort=spec.sort, descending=descending) != self._query:
            self.set_query(replace(self._query, sort=spec.sort, descending=descending))

    # --- access --------------------------------------------------------------------------------

    def row_at(self, row: int) -> QueueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def now(self) -> datetime:
        return self._now
