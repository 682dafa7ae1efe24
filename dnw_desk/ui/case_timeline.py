"""The case timeline as a small table model (time, step, by whom, what was recorded) and the
table that shows it in the case detail.

What each step says comes from services.timeline, which never shows the registration's
personal data (the detail header shows it masked).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from dnw_desk.domain.case import Event
from dnw_desk.i18n import N_
from dnw_desk.services.timeline import step_label, summarise
from dnw_desk.ui.rows_model import RowsModel

TIMELINE_COLUMNS = (N_("Time"), N_("Step"), N_("By"), N_("Details"))
# The widest usual text of the first three columns; the details take the rest.
# Names are mostly two or three characters; staff numbers up to five.
_WIDEST = ("2026-11-24 10:32", "单位退单审核通过", "窗口人员 王小芳 · 工号 C0815")


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
        metrics = self.fontMetrics()
        for column, widest in enumerate(_WIDEST):
            self.setColumnWidth(column, metrics.horizontalAdvance(widest) + 16)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        # Rows grow to their wrapped text whenever the columns change width.
        header.sectionResized.connect(self.on_header_resized)

    @Slot()
    def on_header_resized(self) -> None:
        self.resizeRowsToContents()
