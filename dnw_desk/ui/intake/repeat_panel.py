"""Earlier visits of the same person or enterprise, shown beside the form
(docs/rules.md#registration)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem, QWidget

from dnw_desk.domain.case import STATUS_LABELS, Status
from dnw_desk.domain.registration import REPEAT_VISIT_CATEGORY
from dnw_desk.i18n import _
from dnw_desk.store.cases_repo import CaseRow
from dnw_desk.ui.widgets import button, hint_label, vbox


class RepeatVisitPanel(QGroupBox):
    sig_use_category = Signal(str)
    """The clerk accepted the suggested category (``2``: came twice or more)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Earlier visits"), parent)
        self.setObjectName("repeatPanel")
        self.summary = hint_label()
        self.cases = QListWidget()
        self.cases.setObjectName("repeatCases")
        self.cases.setMaximumHeight(170)
        self.cases.setWordWrap(True)
        self.cases.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.use_button = button(_("Use category 2 (came twice or more)"), self.on_use_clicked)
        self.use_button.setObjectName("useRepeatCategory")
        self.setLayout(vbox(self.summary, self.cases, self.use_button, margin=6))
        self.rows: list[CaseRow] = []
        self.setVisible(False)

    def show_cases(self, rows: Sequence[CaseRow], days: int) -> None:
        self.rows = list(rows)
        self.cases.clear()
        if not rows:
            self.setVisible(False)
            return
        self.summary.setText(
            _(
                "Came {count} time(s) before within {days} days. "
                "Suggested category: 2 — came twice or more."
            ).format(count=len(rows), days=days)
        )
        for row in rows:
            day = f"{row.registered_at:%Y-%m-%d}"
            text = f"{row.number}  {day}  {_status(row.status)}\n{row.service_item}"
            self.cases.addItem(QListWidgetItem(text))
        self.setVisible(True)

    @Slot()
    def on_use_clicked(self) -> None:
        self.sig_use_category.emit(REPEAT_VISIT_CATEGORY)


def _status(status: str) -> str:
    try:
        return _(STATUS_LABELS[Status(status)])
    except ValueError:
        return status
