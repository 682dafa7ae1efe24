"""The case timeline as a small table model (time, step, by whom, what was recorded) and the
table that shows it in the case detail.

What each step says comes from services.timeline, which never shows the registration's
personal data (the detail header shows it masked).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from dnw_desk.domain.case import Event
from dnw_desk.i18n import N_
from dnw_desk.services.timeline import step_label, summarise
from dnw_desk.ui.rows_model import RowsModel

TIMELINE_COLUMNS = (N_("Time"), N_("Step"), N_("By"), N_("Details"))
# The widest usual text of the first three columns; the details take the rest.
# Names are mostly two or three characters; staff numbers up to five.
_WIDEST = ("2026-11-24 10:32", "单位退单审核通过", "窗口人员 王小芳 · 工号 C0815")
# What the details keep at least, and what the step and who took it keep when they wrap.
_DETAILS_ROOM = "单位：省住房城乡建设厅；"
_STEP_FLOOR = "单位退单"
_BY_FLOOR = "工号 C0815"  # the widest piece of "窗口人员 王小芳 · 工号 C0815" that cannot wrap


class TimelineModel(RowsModel):
    COLUMNS = TIMELINE_COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        # Event actor → who, in words (``CaseView.actors``); never the stored ``clerk:login``.
        self.actors: dict[str, str] = {}

    def cell(self, event: Event, column: int) -> Any:
        if column == 0:
            return f"{event.at:%Y-%m-%d %H:%M}"
        if column == 1:
            return step_label(event)
        if column == 2:
            return self.actors.get(event.actor, event.actor)
        return summarise(event, self.actors)


class TimelineView(QTableView):
    """The timeline's table: its columns as wide as their widest usual text in the font in use
    (so the large-font setting does not wrap the times), its rows as tall as their wrapped
    text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = TimelineModel(self)
        self.setTabKeyNavigation(False)  # Tab goes on to the buttons
        self.setModel(self.timeline)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self._fit_columns()
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        # Rows grow to their wrapped text whenever the columns change width: measured once the
        # header has settled every column (the stretched details last), not between two.
        self._rows_timer = QTimer(self)
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(0)
        self._rows_timer.timeout.connect(self.resizeRowsToContents)
        header.sectionResized.connect(self.on_header_resized)

    @Slot()
    def on_header_resized(self) -> None:
        self._rows_timer.start()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The first three columns as wide as their widest usual text while the details keep
        room for a dozen characters; in a narrow view (the large font on a 1366×768 screen)
        who took the step, then the step, give way and wrap. The time never does."""
        metrics = self.fontMetrics()
        time, step, by = (metrics.horizontalAdvance(text) + 16 for text in _WIDEST)
        room = self.viewport().width() - time - metrics.horizontalAdvance(_DETAILS_ROOM) - 16
        by = max(metrics.horizontalAdvance(_BY_FLOOR) + 16, min(by, room - step))
        step = max(metrics.horizontalAdvance(_STEP_FLOOR) + 16, min(step, room - by))
        for column, width in enumerate((time, step, by)):
            if self.columnWidth(column) != width:
                self.setColumnWidth(column, width)
