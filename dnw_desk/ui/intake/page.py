"""The intake screen: the form, earlier visits, the last saved case, and the actions.

Saving runs on the DB lane; the form is cleared for the next citizen as soon as the case is
committed, and the receipt prints in the background on the print lane. The form's content is
autosaved as a draft (file lane) a moment after each change and deleted once the case is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGroupBox, QLabel, QScrollArea, QSizePolicy, QWidget

from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.phone import display_phone
from dnw_desk.domain.registration import Registration
from dnw_desk.i18n import _
from dnw_desk.services import drafts
from dnw_desk.services.attachments import attach_contents, blobs_of, read_checked
from dnw_desk.services.cases import Saved
from dnw_desk.services.reference_data import refusal_reasons
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.store.cases_repo import CaseRow
from dnw_desk.store.database import StoreError
from dnw_desk.ui.attachments import AttachmentList, AttachmentViewer
from dnw_desk.ui.confirm_dialog import ConfirmDialog
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.intake.form import IntakeForm
from dnw_desk.ui.intake.repeat_panel import RepeatVisitPanel
from dnw_desk.ui.not_accepted_dialog import NotAcceptedDialog, Refusal
from dnw_desk.ui.receipt_preview_dialog import ReceiptPreviewDialog
from dnw_desk.ui.widgets import button, error_label, hbox, hint_label, label, show_error, vbox

log = logging.getLogger(__name__)
AUTOSAVE_MS = 1500
LOOKUP_DELAY_MS = 300


def fit_to_width(widget: QLabel, width: int, largest_pt: float = 30.0) -> None:
    """The label's text as large as it can be without being cut (the case number is read
    aloud and copied onto forms, so all of it must show)."""
    font = QFont(widget.font())
    size = largest_pt
    while size > 9:
        font.setPointSizeF(size)
        if QFontMetrics(font).horizontalAdvance(widget.text()) <= width:
            break
        size -= 1
    widget.setFont(font)


class LastCasePanel(QGroupBox):
    """The case number, large, and what happened to its receipt."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Last saved case"), parent)
        self.number = label(_("—"), bold=True, scale=2.2)
        self.number.setObjectName("caseNumber")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = hint_label()
        self.print_state = hint_label()
        self.print_state.setObjectName("receiptState")
        self.preview_button = button(_("Preview receipt"))
        self.preview_button.setObjectName("previewReceipt")
        self.reprint_button = button(_("Reprint"))
        self.reprint_button.setObjectName("reprintReceipt")
        self.preview_button.setEnabled(False)
        self.reprint_button.setEnabled(False)
        self.setLayout(
            vbox(
                self.number,
                self.detail,
                self.print_state,
                hbox(self.preview_button, self.reprint_button),
                margin=8,
            )
        )


class IntakePage(QWidget):
    sig_saved = Signal(object)
    """A ``Saved`` after a case was registered (accepted or not)."""

    def __init__(self, ui: DeskUi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        settings = ui.desk.settings
        self.form = IntakeForm(settings.categories, settings.units, lambda: ui.desk.clock().date())
        self.repeat_panel = RepeatVisitPanel()
        self.last_panel = LastCasePanel()
        self.form_error = error_label()
        # Proof chosen for the case being typed; attached right after it is saved.
        self.pending_files: list[Path] = []
        self.proof = AttachmentList(self)
        self.proof.setObjectName("intakeProof")
        self.proof.sig_add_requested.connect(self.on_proof_chosen)
        self.proof.sig_view_requested.connect(self.on_proof_view_requested)
        self.save_button = button(_("Save and print (F9)"), self.on_save_triggered, default=True)
        self.save_button.setObjectName("saveButton")
        self.refuse_button = button(_("Not accepted…"), self.on_refuse_triggered)
        self.refuse_button.setObjectName("notAcceptedButton")
        self.clear_button = button(_("Clear (Esc)"), self.on_clear_triggered)
        self.clear_button.setObjectName("clearButton")
        self.last_case: CaseRow | None = None
        self.last_refusal: Refusal | None = None
        self.last_copies = 0
        self.saving = False
        self._identity: tuple[str, str, str] = ("", "", "")
        self._build()
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(AUTOSAVE_MS)
        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(LOOKUP_DELAY_MS)
        self._shortcuts = [
            QShortcut(QKeySequence("Ctrl+S"), self),
            QShortcut(QKeySequence(Qt.Key.Key_F9), self),
        ]
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        for shortcut in (*self._shortcuts, self._escape):
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._connect_signals()

    def _build(self) -> None:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        side = QWidget()
        side.setFixedWidth(340)
        side.setLayout(
            vbox(
                self.last_panel,
                self.repeat_panel,
                None,
                label(_("Proof (attached on saving)"), bold=True),
                self.proof,
                self.form_error,
                self.save_button,
                hbox(self.refuse_button, self.clear_button),
            )
        )
        self.save_button.setMinimumHeight(44)
        self.save_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setLayout(hbox(scroll, side, margin=8, spacing=10))

    def _connect_signals(self) -> None:
        self.form.sig_changed.connect(self.on_form_changed)
        self.form.sig_identity_changed.connect(self.on_form_identity_changed)
        self.repeat_panel.sig_use_category.connect(self.on_repeat_category_used)
        self._draft_timer.timeout.connect(self.on_draft_timer_timeout)
        self._lookup_timer.timeout.connect(self.on_lookup_timer_timeout)
        for shortcut in self._shortcuts:
            shortcut.activated.connect(self.on_save_triggered)
        self._escape.activated.connect(self.on_clear_triggered)
        self.last_panel.preview_button.clicked.connect(self.on_preview_clicked)
        self.last_panel.reprint_button.clicked.connect(self.on_reprint_clicked)
        if self.ui.printing is not None:
            self.ui.printing.sig_job_done.connect(self.on_printing_job_done)
            self.ui.printing.sig_job_failed.connect(self.on_printing_job_failed)

    # --- saving --------------------------------------------------------------------------

    @Slot()
    def on_save_triggered(self) -> None:
        if self.saving or self.ui.actor is None:
            return
        show_error(self.form_error, "")
        try:
            registration = self.form.registration()
        except FieldErrors as exc:
            self._refused(exc)
            return
        self._start_save(lambda: self._register(registration), refusal=None)

    def _register(self, registration: Registration) -> Saved:
        desk, actor = self.ui.desk, self.ui.actor
        assert actor is not None
        settings = desk.settings
        return desk.cases.register(
            registration, actor, categories=settings.categories, units=settings.units
        )

    def _with_proof(self, save: Callable[[], Saved]) -> Callable[[], Saved]:
        """``save``, then the chosen files attached to the new case. The files are read and
        checked first, so a file that went away refuses the save instead of half-doing it."""
        paths, desk, actor = list(self.pending_files), self.ui.desk, self.ui.actor
        if not paths or actor is None:
            return save

        def work() -> Saved:
            contents = read_checked(paths)
            saved = save()
            attach_contents(desk.cases, blobs_of(desk), saved.case.id, contents, actor)
            return saved

        return work

    @Slot()
    def on_refuse_triggered(self) -> None:
        if self.saving or self.ui.actor is None:
            return
        show_error(self.form_error, "")
        try:
            registration = self.form.registration()
        except FieldErrors as exc:
            self._refused(exc)
            return
        refusal = NotAcceptedDialog.ask(self, refusal_reasons(), self.ui.desk.settings.hotline)
        if refusal is None:
            return
        desk, actor = self.ui.desk, self.ui.actor

        def save() -> Saved:
            return desk.cases.register_not_accepted(
                registration,
                actor,
                reason_code=refusal.reason_code,
                reason=refusal.reason,
                advice=refusal.advice,
                units=desk.settings.units,
            )

        self._start_save(save, refusal=refusal)

    def _start_save(self, work: Callable[[], Saved], refusal: Refusal | None) -> None:
        self.saving = True
        self.save_button.setEnabled(False)
        work = self._with_proof(work)
        if self.ui.printing is not None:
            # Queued on the save's own lane task: the receipt waits for nothing else there.
            settings = self.ui.desk.settings
            work = self.ui.printing.save_then_print(
                work, lambda case: first_document(settings, case, refusal)
            )
        self.ui.tasks.run(
            work,
            lambda saved: self.on_case_saved(saved, refusal),
            self.on_save_failed,
        )

    def on_case_saved(self, saved: Saved, refusal: Refusal | None) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        case = saved.case
        self.last_case, self.last_refusal, self.last_copies = case, refusal, 1
        self._show_last_case(case, refusal)
        self._draft_timer.stop()
        self.ui.tasks.run(lambda: drafts.discard_draft(self.ui.desk.data_dir), lane="file")
        self.form.clear()
        self._set_proof([])
        self.repeat_panel.show_cases([], 0)
        self.sig_saved.emit(saved)

    def on_save_failed(self, error: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, FieldErrors):
            self._refused(error)
        elif isinstance(error, DomainError):
            show_error(self.form_error, str(error))
        elif isinstance(error, StoreError):
            # A full disk, an I/O error: nothing was saved and the form keeps its content; the
            # message says what to do.
            log.error("saving a case failed: %s", error.__class__.__name__)
            show_error(self.form_error, str(error))
        else:
            log.error("saving a case failed: %s", error.__class__.__name__)
            show_error(
                self.form_error,
                _("The case was not saved: {reason}").format(reason=error.__class__.__name__),
            )

    def _refused(self, error: FieldErrors) -> None:
        self.form.show_errors(error.errors)
        show_error(
            self.form_error,
            _("Not saved: correct the {count} marked field(s).").format(count=len(error.errors)),
        )

    # --- proof -------------------------------------------------------------------------

    @Slot(list)
    def on_proof_chosen(self, paths: list[Path]) -> None:
        """Check the files at once (off the GUI thread): a wrong file is said while the
        citizen is still at the counter, not after the save."""
        show_error(self.form_error, "")
        known = {path.resolve() for path in self.pending_files}
        fresh: list[Path] = []
        for path in paths:
            if path.resolve() not in known:
                known.add(path.resolve())
                fresh.append(path)

        def check() -> list[Path]:
            read_checked(fresh)
            return fresh

        self.ui.tasks.run(
            check,
            lambda checked: self._set_proof([*self.pending_files, *checked]),
            lambda error: show_error(self.form_error, str(error)),
        )

    def _set_proof(self, paths: list[Path]) -> None:
        self.pending_files = paths
        self.proof.set_items(paths)

    @Slot(object)
    def on_proof_view_requested(self, path: Path) -> None:
        self.ui.tasks.run(
            lambda: read_checked([path])[0][1],
            lambda content: self._view_proof(path, content),
            lambda error: show_error(self.form_error, str(error)),
        )

    def _view_proof(self, path: Path, content: bytes) -> None:
        self.viewer = AttachmentViewer(path.name, content, self)
        self.viewer.open()

    def forget_last_case(self) -> None:
        """The next user at this window does not see (or reprint) the previous one's case."""
        self._set_proof([])
        self.last_case, self.last_refusal, self.last_copies = None, None, 0
        panel = self.last_panel
        panel.setTitle(_("Last saved case"))
        panel.number.setText(_("—"))
        panel.detail.setText("")
        panel.print_state.setText("")
        panel.preview_button.setEnabled(False)
        panel.reprint_button.setEnabled(False)

    def _show_last_case(self, case: CaseRow, refusal: Refusal | None) -> None:
        panel = self.last_panel
        panel.number.setText(case.number)
        fit_to_width(panel.number, panel.width() - 24 if panel.width() > 100 else 300)
        if refusal is not None:
            panel.setTitle(_("Last case — not accepted"))
            panel.detail.setText(_("Not accepted: {reason}").format(reason=refusal.reason))
            panel.preview_button.setText(_("Preview slip"))
        else:
            panel.setTitle(_("Last saved case"))
            deadline = f"{case.deadline:%Y-%m-%d %H:%M}" if case.deadline else "—"
            panel.detail.setText(
                _("Saved at {time}. Feedback due by {deadline}.").format(
                    time=f"{case.registered_at:%H:%M}", deadline=deadline
                )
            )
            panel.preview_button.setText(_("Preview receipt"))
        panel.print_state.setText(_("Printing…"))
        panel.preview_button.setEnabled(True)
        panel.reprint_button.setEnabled(True)

    # --- printing --------------------------------------------------------------------------

    def _print_last(self, copy: int) -> None:
        printing, case = self.ui.printing, self.last_case
        if printing is None or case is None:
            return
        settings = self.ui.desk.settings
        if self.last_refusal is not None:
            printing.print_slip(settings, case, self.last_refusal.reason, self.last_refusal.advice)
        else:
            printing.print_receipt(settings, case, copy)

    def _document_for_preview(self) -> Any:
        from dnw_desk.services.receipts import receipt_data

        case, settings = self.last_case, self.ui.desk.settings
        assert case is not None
        if self.last_refusal is not None:
            return first_document(settings, case, self.last_refusal)
        return receipt_data(settings, case, max(1, self.last_copies))

    @Slot()
    def on_preview_clicked(self) -> None:
        if self.last_case is None or self.ui.printing is None:
            return
        self.ui.printing.preview(self._document_for_preview(), self.on_preview_rendered)

    def on_preview_rendered(self, image: Any) -> None:
        if self.last_case is None:
            return
        if ReceiptPreviewDialog.ask(self, image, self.last_case.number):
            self.on_reprint_clicked()

    @Slot()
    def on_reprint_clicked(self) -> None:
        case = self.last_case
        if case is None or self.ui.actor is None:
            return
        self.last_copies += 1
        copy = self.last_copies
        self._print_last(copy)

    @Slot(object)
    def on_printing_job_done(self, outcome: Any) -> None:
        # The print queue records ``receipt_printed``; this screen only says what happened.
        if self.last_case is None or outcome.case_id != self.last_case.id:
            return
        self.last_panel.print_state.setText(
            _("Saved as preview (no printer).") if outcome.outputs else _("Receipt printed.")
        )

    @Slot(object)
    def on_printing_job_failed(self, outcome: Any) -> None:
        if self.last_case is not None and outcome.case_id == self.last_case.id:
            self.last_panel.print_state.setText(
                _("Not printed: {reason}").format(reason=outcome.error)
            )

    # --- clearing, drafts, earlier visits -------------------------------------------------

    @Slot()
    def on_clear_triggered(self) -> None:
        if self.form.is_empty() and not self.pending_files:
            self.form.clear()
            return
        if ConfirmDialog.ask(
            self,
            _("Clear the form"),
            _("Clear everything typed for this complainant? This cannot be undone."),
            _("Clear"),
            _("Keep editing"),
            destructive=True,
        ):
            self._draft_timer.stop()
            self.form.clear()
            self._set_proof([])
            show_error(self.form_error, "")
            self.repeat_panel.show_cases([], 0)
            self.ui.tasks.run(lambda: drafts.discard_draft(self.ui.desk.data_dir), lane="file")

    @Slot()
    def on_form_changed(self) -> None:
        self._draft_timer.start()

    @Slot()
    def on_draft_timer_timeout(self) -> None:
        self.save_draft_now()

    def save_draft_now(self) -> None:
        data_dir = self.ui.desk.data_dir
        if self.form.is_empty():
            self.ui.tasks.run(lambda: drafts.discard_draft(data_dir), lane="file")
            return
        fields = self.form.to_draft()
        now = self.ui.desk.clock()
        self.ui.tasks.run(lambda: drafts.save_draft(data_dir, fields, now), lane="file")

    def offer_draft(self) -> None:
        """At start (after login): offer back the draft a crash left behind."""
        data_dir = self.ui.desk.data_dir
        self.ui.tasks.run(lambda: drafts.load_draft(data_dir), self.on_draft_loaded, lane="file")

    def on_draft_loaded(self, found: tuple[dict[str, Any], datetime] | None) -> None:
        if found is None:
            return
        fields, saved_at = found
        if ConfirmDialog.ask(
            self,
            _("Unsaved registration found"),
            _(
                "A registration was being typed when dnw-desk stopped (autosaved at {time}). "
                "Restore it?"
            ).format(time=f"{saved_at:%Y-%m-%d %H:%M:%S}"),
            _("Restore"),
            _("Discard"),
        ):
            self.form.load_draft(fields)
        else:
            self.ui.tasks.run(lambda: drafts.discard_draft(self.ui.desk.data_dir), lane="file")

    @Slot(str, str, str)
    def on_form_identity_changed(self, id_number: str, phone: str, credit_code: str) -> None:
        self._identity = (id_number, phone, credit_code)
        if any(self._identity):
            self._lookup_timer.start()
        else:
            self._lookup_timer.stop()
            self.repeat_panel.show_cases([], 0)

    @Slot()
    def on_lookup_timer_timeout(self) -> None:
        self.lookup_earlier_visits()

    @Slot(str)
    def on_repeat_category_used(self, code: str) -> None:
        """Category 2 rests on the earlier visits the desk just found: fill in their dates, and
        the phone given then when none was typed yet (the citizen is at the counter to confirm
        both)."""
        self.form.suggest_category(code)
        rows = self.repeat_panel.rows
        if not self.form.text("earlier_visits").strip():
            days = sorted({row.registered_at.date() for row in rows})
            self.form.edits["earlier_visits"].setText(", ".join(d.isoformat() for d in days))
        phones = [row.phone for row in rows if row.phone]
        if phones and not self.form.text("phone").strip():
            self.form.edits["phone"].setText(display_phone(phones[0]))

    def lookup_earlier_visits(self) -> None:
        id_number, phone, credit_code = self._identity
        desk = self.ui.desk
        days = desk.settings.repeat_visit_days
        since = desk.clock() - timedelta(days=days)
        asked = self._identity

        def query() -> list[CaseRow]:
            return desk.cases.earlier_visits(
                id_number=id_number, phone=phone, credit_code=credit_code, since=since
            )

        def show(rows: list[CaseRow]) -> None:
            if asked == self._identity:  # the clerk typed on meanwhile: an older answer
                self.repeat_panel.show_cases(rows, days)

        self.ui.tasks.run(query, show)

    def reload_settings(self) -> None:
        settings = self.ui.desk.settings
        self.form.set_units(settings.units)


def first_document(settings: BusinessSettings, case: CaseRow, refusal: Refusal | None) -> Any:
    """What a new case prints: the receipt, or the notification slip of a refused one."""
    from dnw_desk.services.receipts import receipt_data, slip_data

    if refusal is not None:
        return slip_data(settings, case, refusal.reason, refusal.advice)
    return receipt_data(settings, case, 1)
