"""The shift lead's review page: today at a glance, by category and unit, the handover note,
and the exports (day ledger PDF, ledger XLSX/CSV, monthly per-unit bulletin)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStandardPaths, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)

from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.roles import Permission, may
from dnw_desk.domain.unit_figures import percent
from dnw_desk.i18n import N_, _
from dnw_desk.local_settings import save_local_settings
from dnw_desk.reports import jobs
from dnw_desk.services.changes import Changes
from dnw_desk.services.review import DayReview, ExportRequest, HandoverNote, review_for
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.file_dialogs import save_file_name
from dnw_desk.ui.review.charts import BarChartView
from dnw_desk.ui.review.exports import ExportRun, export_runner, is_cancelled
from dnw_desk.ui.widgets import (
    button,
    error_label,
    hbox,
    hint_label,
    keep_space,
    label,
    mark_invalid,
    show_error,
    vbox,
)

FIGURES = (
    ("registered", N_("Registered")),
    ("not_accepted", N_("Not accepted")),
    ("pending", N_("Awaiting feedback")),
    ("due_soon", N_("Due soon")),
    ("overdue", N_("Overdue cases")),
    ("fed_back", N_("Fed back today")),
    ("on_time_rate", N_("On-time rate")),
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class FigureTile(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureTile")
        self.setStyleSheet(
            "QFrame#figureTile { background:#f4f6f9; border:1px solid #d5dbe3; border-radius:4px; }"
        )
        self.value = label("—", bold=True, scale=1.8)
        self.title = hint_label(title)
        self.setLayout(vbox(self.title, self.value, margin=8, spacing=2))


def export_folder(remembered: str) -> Path:
    """Where a save dialog opens (and the 督办单 is written): the remembered folder while it
    exists, else Documents, else home (a fresh account may have no Documents folder)."""
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class ReviewPage(QWidget):
    """Shown at once with the figures it last had (or dashes) and "Updating…"; the fresh
    figures are read on the read lane and replace them when they arrive."""

    sig_exported = Signal(object)
    """An export finished: the path written."""

    sig_loaded = Signal(object)
    """Fresh figures are on screen (the ``DayReview``)."""

    def __init__(self, ui: DeskUi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.service = review_for(ui.desk)
        self.export_tasks = export_runner(ui.tasks, self)
        self.review: DayReview | None = None
        self._generation = 0  # the newest load: an older one's figures are dropped
        self.runs: list[ExportRun] = []
        self._build()
        self._connect_signals()

    # --- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        today = _qdate(self.ui.desk.clock().date())  # the desk's clock, not the PC's
        self.day_edit = QDateEdit(today)
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.refresh_button = button(_("Refresh"), self.load)
        self.message = error_label()
        self.message.setObjectName("reviewMessage")
        self.loading = hint_label(_("Updating…"))
        self.loading.setObjectName("reviewLoading")
        keep_space(self.loading)
        self.loading.setVisible(False)
        self.tiles: dict[str, FigureTile] = {}
        tiles = QGridLayout()
        for index, (key, title) in enumerate(FIGURES):
            tile = FigureTile(_(title))
            self.tiles[key] = tile
            tiles.addWidget(tile, 0, index)
        self.category_chart = BarChartView(_("By category"))
        self.unit_chart = BarChartView(_("By unit (most overdue first)"))
        charts = hbox(self.category_chart, self.unit_chart)
        note_box = self._handover_box()
        export_box = self._export_box(today)
        bottom = hbox(note_box, export_box)
        bottom.setStretch(0, 1)
        bottom.setStretch(1, 1)
        content = QWidget()
        content.setLayout(
            vbox(
                hbox(
                    label(_("Review of the day"), bold=True, scale=1.3),
                    None,
                    label(_("Day")),
                    self.day_edit,
                    self.refresh_button,
                    self.loading,
                ),
                self.message,
                tiles,
                charts,
                bottom,
                margin=8,
            )
        )
        # The charts keep the height their labels need (large font, 1366×768 included): when
        # the window is shorter than the page, the page scrolls rather than squeeze them.
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.setLayout(vbox(self.scroll_area))

    def _handover_box(self) -> QGroupBox:
        """The shift's handover note: what the next shift must know."""
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("handoverEdit")
        self.note_edit.setPlaceholderText(
            _("What the next shift must know: cases to chase, calls promised, units to remind.")
        )
        self.note_edit.setTabChangesFocus(True)
        self.note_info = hint_label()
        self.note_save = button(_("Save handover note"), self.on_note_save_clicked)
        note_box = QGroupBox(_("Handover note"))
        note_box.setLayout(
            vbox(self.note_info, self.note_edit, hbox(None, self.note_save), margin=8)
        )
        return note_box

    def _export_box(self, today: QDate) -> QGroupBox:
        """The day ledger, the month's unit bulletin and the ledger of a period."""
        self.unmasked_check = QCheckBox(_("Unmasked (personal data in full)"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(_("Reason (required for unmasked)"))
        self.reason_edit.setEnabled(False)
        self.reason_error = error_label()  # beside the field it is about, not atop the page
        self.reason_edit.textEdited.connect(self.on_reason_edit_text_edited)
        self.from_edit = QDateEdit(today.addDays(-today.day() + 1))
        self.to_edit = QDateEdit(today)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.daily_button = button(_("Day ledger (PDF)…"), self.on_daily_button_clicked)
        self.ledger_button = button(_("Ledger (XLSX/CSV)…"), self.on_ledger_button_clicked)
        self.units_button = button(_("Unit bulletin of the month…"), self.on_units_button_clicked)
        self.export_status = hint_label()
        self.export_status.setObjectName("exportStatus")
        export_box = QGroupBox(_("Reports and exports"))
        export_box.setLayout(
            vbox(
                hbox(self.unmasked_check, self.reason_edit),
                self.reason_error,
                hbox(self.daily_button, self.units_button, None),
                hbox(
                    label(_("Ledger from")),
                    self.from_edit,
                    label(_("to")),
                    self.to_edit,
                    self.ledger_button,
                    None,
                ),
                self.export_status,
                margin=8,
            )
        )
        return export_box

    def _connect_signals(self) -> None:
        self.day_edit.dateChanged.connect(self.on_day_edit_changed)
        self.unmasked_check.toggled.connect(self.reason_edit.setEnabled)
        self.ui.bus.sig_changed.connect(self.on_bus_changed)

    # --- loading -------------------------------------------------------------------------------

    @property
    def day(self) -> date:
        value = self.day_edit.date().toPython()
        assert isinstance(value, date)
        return value

    def load(self) -> None:
        """Figures for the chosen day; a role without the review permission is refused."""
        actor, day = self.ui.actor, self.day
        if actor is None or not may(actor.role, Permission.REVIEW):
            show_error(self.message, _("Only a shift lead can open the review."))
            return
        show_error(self.message, "")
        self._generation += 1
        generation = self._generation
        self.loading.setVisible(True)
        self.ui.tasks.run(
            lambda: self.service.day_review(actor, day),
            lambda review: self._loaded(generation, review),
            lambda error: self._load_failed(generation, error),
            lane="read",
        )

    def _loaded(self, generation: int, review: DayReview) -> None:
        if generation != self._generation:
            return  # another day was chosen, or the figures changed again, meanwhile
        self.loading.setVisible(False)
        self._show(review)
        self.sig_loaded.emit(review)

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.loading.setVisible(False)
            self._failed(error)

    def _show(self, review: DayReview) -> None:
        self.review = review
        figures = review.figures
        for key, tile in self.tiles.items():
            value = figures.on_time_rate if key == "on_time_rate" else getattr(figures, key)
            tile.value.setText(percent(value) if key == "on_time_rate" else str(value))
        self.category_chart.set_data(
            [_("Registered"), _("Awaiting feedback"), _("Overdue cases")],
            [(b.label, (b.registered, b.pending, b.overdue)) for b in review.by_category],
        )
        self.unit_chart.set_data(
            [_("Awaiting feedback"), _("Overdue cases"), _("Returns")],
            [(b.label, (b.pending, b.overdue, b.returns)) for b in review.by_unit],
        )
        self._show_note(review.handover)

    def _show_note(self, note: HandoverNote | None) -> None:
        if note is None:
            self.note_info.setText(_("No handover note yet."))
            return
        self.note_info.setText(
            _("Last note: {author}, {moment}").format(
                author=note.author, moment=f"{note.written_at:%Y-%m-%d %H:%M}"
            )
        )
        if not self.note_edit.toPlainText().strip():
            self.note_edit.setPlainText(note.text)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, FieldErrors):
            self._say(_("; ").join(error.errors.values()))
        else:
            self._say(str(error))

    def _say(self, text: str) -> None:
        """A message at the top of the page, scrolled into view: the buttons that lead to it
        (the handover's, the exports') sit at the bottom, below the fold at 1366×768."""
        show_error(self.message, text)
        self.scroll_area.ensureWidgetVisible(self.message)

    # --- slots ---------------------------------------------------------------------------------

    @Slot(QDate)
    def on_day_edit_changed(self, _day: QDate) -> None:
        self.load()

    @Slot(object)
    def on_bus_changed(self, changes: Changes) -> None:
        if changes.cases and self.isVisible() and self.review is not None:
            self.load()

    @Slot()
    def on_note_save_clicked(self) -> None:
        actor, text, day = self.ui.actor, self.note_edit.toPlainText(), self.day
        if actor is None:
            show_error(self.message, _("Log in first."))
            return
        self.ui.tasks.run(
            lambda: self.service.save_handover(actor, text, day), self._show_note, self._failed
        )

    def _export_options(self) -> tuple[bool, str] | None:
        masked = not self.unmasked_check.isChecked()
        reason = self.reason_edit.text().strip()
        if not masked and len(reason) < 2:
            show_error(self.reason_error, _("Give the reason for an unmasked export."))
            mark_invalid(self.reason_edit, True)
            self.reason_edit.setFocus()
            return None
        return masked, reason

    @Slot(str)
    def on_reason_edit_text_edited(self, _text: str) -> None:
        show_error(self.reason_error, "")
        mark_invalid(self.reason_edit, False)

    def ask_path(self, title: str, suggested: str, filters: str) -> Path | None:
        """The file to write (a seam tests replace): offered in the folder of the last export,
        else the user's Documents — never the program's working directory."""
        start = str(export_folder(self.ui.local.export_dir) / suggested)
        path = save_file_name(self, title, start, filters)
        if not path:
            return None
        chosen = Path(path)
        self.ui.local = replace(self.ui.local, export_dir=str(chosen.parent))
        data_dir, local = self.ui.desk.data_dir, self.ui.local
        self.ui.tasks.run(lambda: save_local_settings(data_dir, local), lane="file")
        return chosen

    @Slot()
    def on_daily_button_clicked(self) -> None:
        options = self._export_options()
        path = options and self.ask_path(
            _("Save the day ledger"), f"台账-{self.day.isoformat()}.pdf", "PDF (*.pdf)"
        )
        if not options or path is None:
            return
        masked, reason = options
        actor, day, desk = self.ui.actor, self.day, self.ui.desk
        self._start(
            _("Writing the day ledger…"),
            lambda progress, token: jobs.daily_pdf(
                desk, day, path, actor=actor, masked=masked, reason=reason
            ),
            path,
        )

    @Slot()
    def on_units_button_clicked(self) -> None:
        month = self.day.replace(day=1)
        path = self.ask_path(
            _("Save the unit bulletin"),
            f"单位通报-{month:%Y-%m}.pdf",
            "PDF (*.pdf);;Excel (*.xlsx)",
        )
        if path is None:
            return
        actor, desk = self.ui.actor, self.ui.desk
        self._start(
            _("Writing the unit bulletin…"),
            lambda progress, token: jobs.units_report(desk, month, path, actor=actor),
            path,
        )

    @Slot()
    def on_ledger_button_clicked(self) -> None:
        options = self._export_options()
        first = self.from_edit.date().toPython()
        last = self.to_edit.date().toPython()
        path = options and self.ask_path(
            _("Export the ledger"), f"台账-{first}-{last}.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if not options or path is None:
            return
        masked, reason = options
        assert isinstance(first, date) and isinstance(last, date)
        if last < first:
            self._say(_("The end date is before the start date."))
            return
        request = ExportRequest(first, last, masked, reason, path.suffix.lstrip(".").lower())
        actor, desk = self.ui.actor, self.ui.desk
        self._start(
            _("Exporting the ledger…"),
            lambda progress, token: jobs.ledger_export(
                desk, request, path, actor=actor, progress=progress, cancel=token
            ),
            path,
        )

    def _start(self, title: str, job: Any, path: Path) -> None:
        show_error(self.message, "")
        run = ExportRun(self.export_tasks, title, self)
        self.runs.append(run)
        run.sig_finished.connect(lambda result: self._exported(run, path, result))
        run.sig_failed.connect(lambda error: self._export_failed(run, error))
        self.export_status.setText(title)
        self.scroll_area.ensureWidgetVisible(self.export_status)
        run.start(job)

    def _exported(self, run: ExportRun, path: Path, result: Any) -> None:
        self._forget(run)
        self.export_status.setText(_("Written: {path}").format(path=path))
        self.scroll_area.ensureWidgetVisible(self.export_status)
        self.sig_exported.emit(path)

    def _export_failed(self, run: ExportRun, error: BaseException) -> None:
        self._forget(run)
        if is_cancelled(error):
            self.export_status.setText(_("Export cancelled; no file was written."))
            self.scroll_area.ensureWidgetVisible(self.export_status)
        elif isinstance(error, FieldErrors):
            self._say(_("; ").join(error.errors.values()))
        elif isinstance(error, DomainError | ValueError | OSError):
            self._say(str(error))
        else:
            self._say(_("The export failed: {problem}").format(problem=error))

    def _forget(self, run: ExportRun) -> None:
        if run in self.runs:
            self.runs.remove(run)
        run.deleteLater()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        # Shown with the figures it last had, marked as updating; the fresh ones are read once
        # the page is painted (a zero timer runs after the pending paint): the read's Python
        # work on the read lane would otherwise compete with the painting for the interpreter.
        self.loading.setVisible(True)
        QTimer.singleShot(0, self, self._load_if_shown)  # dropped if the page goes first

    def _load_if_shown(self) -> None:
        if self.isVisible():
            self.load()
