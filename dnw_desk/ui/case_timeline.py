"""The case timeline as a small table model (time, step, by whom, what was recorded).

What each step says comes from services.timeline, which never shows the registration's
personal data (the detail header shows it masked).
"""

from __future__ import annotations

from typing import Any

from dnw_desk.domain.case import Event
from dnw_desk.i18n import N_
from dnw_desk.services.timeline import step_label, summarise
from dnw_desk.ui.rows_model import RowsModel

TIMELINE_COLUMNS = (N_("Time"), N_("Step"), N_("By"), N_("Details"))


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
        return summarise(event)
