"""The case detail: facts (personal data masked), the whole timeline, every handling step.

One dialog serves case after case: ``show_case`` refills it and ``clear`` empties it when it
closes, so opening a case only loads and fills (building and first showing the dialog is most
of the cost of opening it). A result that arrives for a case the dialog no longer shows (it was
closed and reopened on another) is dropped.

Each step opens ``ActionDialog`` and is saved through ``HandlingService`` on the task runner;
buttons a role may not use, or that the status does not allow, are disabled with a tooltip
saying why, and the service refuses them anyway. A masked field is shown in full only after
``RevealDialog`` gave a reason; it is masked again after ``REVEAL_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QWidget,
)

from dnw_desk.domain.attachments import AttachmentInfo
from dnw_desk.domain.case import EventType, RatingStage, Status
from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.roles import Actor, Permission, may
from dnw_desk.i18n import _
from dnw_desk.services.alerts import alerts_for
from dnw_desk.services.attachments import attach_files, attachments_of, blobs_of, content_of
from dnw_desk.services.cases import PermissionDenied
from dnw_desk.services.handling import (
    ACTION_TITLES,
    HANDLING_ACTIONS,
    MASKED_FIELD_LABELS,
    CaseView,
    MaskedField,
    Revealed,
    action_availability,
    case_countdown,
    handling_for,
    returns_by_unit,
    reveal_permission,
)
from dnw_desk.services.queue import format_countdown
from dnw_desk.services.ratings import open_stage
from dnw_desk.services.reference_data import category_names
from dnw_desk.store.database import StoreError
from dnw_desk.ui.action_dialog import ActionDialog
from dnw_desk.ui.attachments import AttachmentList, AttachmentViewer
from dnw_desk.ui.case_timeline import TimelineView
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.queue.model import status_text
from dnw_desk.ui.reveal_dialog import REVEAL_SECONDS, RevealDialog
from dnw_desk.ui.text_rows import clear_rows, fill_rows
from dnw_desk.ui.widgets import button, error_label, hbox, keep_space, label, show_error, vbox


class CaseDetailDialog(QDialog):
    sig_saved = Signal(object)
    """A step was saved (the ``Saved`` result)."""

    def __init__(self, ui: DeskUi, case_id: str | None, parent: QWidget | None = None) -> None:
        """``case_id`` None: a spare, built ahead while the desk is idle; ``show_case`` gives
        it its case (building and polishing the widgets is a third of opening one)."""
        super().__init__(parent)
        self.ui = ui
        self.case_id = case_id or ""
        self.ticket = 0  # counts the cases shown: a late result for an earlier one is dropped
        self.viewer: AttachmentViewer | None = None
        self.handling = handling_for(ui.desk)
        self.level_of = alerts_for(ui.desk).level_of
        self.view: CaseView | None = None
        self.setWindowTitle(_("Case"))
        self.resize(1000, 680)
        self._build()
        self.hide_timer = QTimer(self)
        self.hide_timer.setSingleShot(True)
        self.hide_timer.setInterval(REVEAL_SECONDS * 1000)
        self.hide_timer.timeout.connect(self.on_hide_timer_timeout)
        if case_id is not None:
            self.load()

    def show_case(self, case_id: str) -> None:
        """A spare's case (with the desk's services as they are now: the settings may have
        changed since it was built)."""
        if self.view is not None or self.case_id:
            self.clear()
        self.case_id = case_id
        self.handling = handling_for(self.ui.desk)
        self.level_of = alerts_for(self.ui.desk).level_of
        self.rate_button.setVisible(self.ui.ask_rating is not None)
        self.load()

    def clear(self) -> None:
        """Nothing of the last case left (a closed dialog waits hidden for the next one)."""
        self.ticket += 1
        self.hide_timer.stop()
        if self.viewer is not None:
            self.viewer.close()
            self.viewer.deleteLater()
            self.viewer = None
        self.view = None
        self.case_id = ""
        self.rating_number = ""
        self.setWindowTitle(_("Case"))
        self.number_label.clear()
        self.status_label.clear()
        for value in self.fact_labels.values():
            value.clear()
        for value in self.pii_values.values():
            value.clear()
            value.setProperty("revealed", False)
        clear_rows(self.complainant_details)
        clear_rows(self.details)
        self.attachments.set_items([])
        self.timeline.actors = {}
        self.timeline.set_rows([])
        show_error(self.message, "")
        self._notice("")
        # Shown again, the keys start where a new dialog's do: on the facts, first in the chain.
        self.facts_scroll.setFocus(Qt.FocusReason.OtherFocusReason)
        self.facts_scroll.verticalScrollBar().setValue(0)

    def _current(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        """``callback``, run only while the dialog still shows the case it was asked for."""
        ticket = self.ticket

        def deliver(result: Any) -> None:
            if ticket == self.ticket:
                callback(result)

        return deliver

    # --- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self._build_facts()
        self._build_pii()
        self._build_timeline()
        grid = self._build_actions()
        self._build_messages()
        close = button(_("Close"), self.accept)
        self.attachments = AttachmentList(self)
        self.attachments.sig_add_requested.connect(self.on_attach_requested)
        self.attachments.sig_view_requested.connect(self.on_view_requested)
        self.details = QFormLayout()
        self.details.setObjectName("caseDetails")
        self.complainant_details = QFormLayout()
        self.complainant_details.setObjectName("caseComplainantDetails")
        right = vbox(label(_("Timeline"), bold=True), self.timeline_view)
        body = hbox(self._facts_pane(), right, spacing=16)
        body.setStretch(0, 2)
        body.setStretch(1, 3)
        self.setLayout(
            vbox(
                body,
                label(_("Handling"), bold=True),
                grid,
                self.message,
                self.notice,
                hbox(self.reprint_button, self.notice_button, self.rate_button, None, close),
                margin=12,
            )
        )

    def _build_facts(self) -> None:
        self.number_label = label("", bold=True, scale=1.6)
        self.number_label.setObjectName("caseNumber")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = label("", bold=True, scale=1.15)
        self.facts = QFormLayout()
        self.fact_labels: dict[str, QLabel] = {}
        for key, title in (
            ("registered", _("Registered at")),
            ("clerk", _("Clerk no.")),
            ("category", _("Category")),
            ("service_item", _("Service item")),
            ("unit", _("Responsible unit")),
            ("deadline", _("Deadline")),
            ("countdown", _("Working time left")),
            ("returns", _("Returns by unit")),
        ):
            value = label(wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[key] = value
            self.facts.addRow(title, value)

    def _build_pii(self) -> None:
        self.pii = QGridLayout()
        self.pii_values: dict[MaskedField, QLabel] = {}
        self.reveal_buttons: dict[MaskedField, QPushButton] = {}
        self.pii_rows: dict[MaskedField, tuple[QWidget, ...]] = {}
        for row, field in enumerate(MaskedField):
            value = QLabel()
            value.setObjectName(f"pii_{field.value}")
            show = button(_("Show"), partial(self.on_reveal_clicked, field))
            show.setObjectName(f"reveal_{field.value}")
            self.pii_values[field] = value
            self.reveal_buttons[field] = show
            caption = QLabel(_(MASKED_FIELD_LABELS[field]))
            self.pii.addWidget(caption, row, 0)
            self.pii.addWidget(value, row, 1)
            self.pii.addWidget(show, row, 2)
            self.pii_rows[field] = (caption, value, show)
        self.pii.setColumnStretch(1, 1)

    def _build_timeline(self) -> None:
        self.timeline_view = TimelineView(self)
        self.timeline = self.timeline_view.timeline

    def _build_actions(self) -> QGridLayout:
        """One button per handling step, six to a row."""
        self.action_buttons: dict[EventType, QPushButton] = {}
        grid = QGridLayout()
        for index, event_type in enumerate(HANDLING_ACTIONS):
            action = button(
                _(ACTION_TITLES[event_type]), partial(self.on_action_clicked, event_type)
            )
            action.setObjectName(f"action_{event_type.value}")
            self.action_buttons[event_type] = action
            grid.addWidget(action, index // 6, index % 6)
        return grid

    def _build_messages(self) -> None:
        self.message = error_label()
        self.message.setObjectName("detailMessage")
        self.notice = label(wrap=True)
        self.notice.setObjectName("detailNotice")
        self.notice.setVisible(False)
        # One line each is reserved below the buttons: a message never moves them (the whole
        # text is in the tooltip should a long one not fit).
        for line in (self.message, self.notice):
            keep_space(line)
            line.setWordWrap(False)
            line.setFixedHeight(line.fontMetrics().height() + 4)
        self.reprint_button = button(_("Reprint the receipt"), self.on_reprint_clicked)
        self.reprint_button.setObjectName("detailReprint")
        self.notice_button = button(_("Supervision notice (PDF)"), self.on_notice_clicked)
        self.notice_button.setObjectName("detailSupervisionNotice")
        self.rate_button = button(_("Ask the citizen to rate"), self.on_rate_clicked)
        self.rate_button.setObjectName("detailAskRating")
        self.rate_button.setVisible(self.ui.ask_rating is not None)
        self.rating_number = ""

    def _facts_pane(self) -> QScrollArea:
        left = vbox(
            hbox(self.number_label, None, self.status_label),
            self.facts,
            label(_("Complainant (masked)"), bold=True),
            self.pii,
            self.complainant_details,
            label(_("Matter"), bold=True),
            self.details,
            label(_("Attachments"), bold=True),
            self.attachments,
            None,
        )
        # The facts scroll when the large font makes them taller than a 768-line screen.
        facts_pane = QWidget()
        facts_pane.setLayout(left)
        self.facts_layout = left
        facts_scroll = QScrollArea()
        facts_scroll.setWidget(facts_pane)
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        facts_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.facts_scroll = facts_scroll
        return facts_scroll

    def _fit_facts_pane(self) -> None:
        """The facts pane scrolls only up and down: it is kept as wide as its widest line (the
        number and the status side by side, wide at the large font), or their right ends
        would be cut off."""
        scroll = self.facts_scroll
        margins = self.facts_layout.contentsMargins()
        header = self.number_label.sizeHint().width() + self.status_label.sizeHint().width()
        scroll.setMinimumWidth(
            header
            + 16  # the space between the two
            + margins.left()
            + margins.right()
            + scroll.verticalScrollBar().sizeHint().width()
        )

    # --- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        case_id = self.case_id
        self.ui.tasks.run(
            lambda: self.handling.view(case_id),
            self._current(self._show),
            self._current(self._failed),
            lane="read",
        )

    def _show(self, view: CaseView) -> None:
        self.view = view
        actor = self.ui.actor
        self.setWindowTitle(_("Case {number}").format(number=view.number))
        self.number_label.setText(view.number)
        self.status_label.setText(status_text(view.status))
        self._fit_facts_pane()
        self._show_facts(view)
        self._show_pii(view, actor)
        self._show_details(view)
        self.attachments.set_items(attachments_of(view.events))
        may_attach = actor is not None and may(actor.role, Permission.HANDLE)
        self.attachments.add_button.setEnabled(may_attach)
        self.attachments.add_button.setToolTip(
            "" if may_attach else _("Your role may not add to this case.")
        )
        self.timeline.actors = dict(view.actors)
        self.timeline.set_rows(view.events)
        # After the layout settled, so rows fit the wrapped text at the final column width.
        QTimer.singleShot(0, self.timeline_view, self.timeline_view.resizeRowsToContents)
        self._show_buttons(view, actor)
        self._keep_keyboard_focus()

    def _show_facts(self, view: CaseView) -> None:
        categories = category_names(self.ui.desk.settings.categories)
        facts = self.fact_labels
        facts["registered"].setText(f"{view.registered_at:%Y-%m-%d %H:%M}")
        facts["clerk"].setText(view.clerk_no)
        facts["category"].setText(categories[view.category])
        facts["service_item"].setText(view.service_item)
        facts["unit"].setText(view.unit or _("(no unit)"))
        deadline = ""
        if view.deadline is not None:
            deadline = f"{view.deadline:%Y-%m-%d %H:%M}"
            if view.deadline_provisional:
                deadline += " " + _("(provisional)")
        facts["deadline"].setText(deadline)
        facts["countdown"].setText(self._countdown_text(view))
        returns = returns_by_unit(view.state)
        facts["returns"].setText(
            _("; ").join(f"{unit} × {count}" for unit, count in returns.most_common()) or _("none")
        )

    def _show_pii(self, view: CaseView, actor: Actor | None) -> None:
        for field, value in self.pii_values.items():
            value.setText(view.masked.get(field, "—"))
        for field, show in self.reveal_buttons.items():
            allowed = actor is not None and may(actor.role, reveal_permission(field))
            show.setEnabled(allowed and bool(view.masked.get(field)))
            show.setToolTip("" if allowed else _("Only a shift lead may show personal data."))
        # An enterprise has no ID number: its credit code is among the details, in full.
        enterprise = view.complainant_kind == "enterprise"
        for widget in self.pii_rows[MaskedField.ID_NUMBER]:
            widget.setVisible(not enterprise)

    def _show_buttons(self, view: CaseView, actor: Actor | None) -> None:
        self.reprint_button.setEnabled(
            actor is not None
            and self.ui.printing is not None
            and Status(view.status) is not Status.NOT_ACCEPTED
        )
        self.notice_button.setEnabled(
            actor is not None and may(actor.role, Permission.HANDLE) and view.state.escalated
        )
        # The citizen at the counter rates the handling once the unit's answer reached them.
        self.rate_button.setEnabled(
            actor is not None and open_stage(view.state) is RatingStage.FEEDBACK
        )
        self.rating_number = view.number
        self.notice_button.setToolTip(
            "" if view.state.escalated else _("Only an escalated case (督办) has a notice.")
        )
        availability = action_availability(view.state, actor)
        for event_type, action in self.action_buttons.items():
            action.setEnabled(availability[event_type].possible)
            action.setToolTip(availability[event_type].why_not)

    def _keep_keyboard_focus(self) -> None:
        """A step just done usually disables its own button, which had the focus: hand it to
        the first step still possible, so the keyboard never ends up nowhere."""
        current = self.focusWidget()
        if current is not None and current.isEnabled() and current.isVisible():
            return
        for action in self.action_buttons.values():
            if action.isEnabled():
                action.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _show_details(self, view: CaseView) -> None:
        """The registration's own facts: an enterprise's credit code and contact under the
        complainant, the matter's (description, request, co-units, evidence) under the matter."""
        fill_rows(self.complainant_details, view.complainant)
        fill_rows(self.details, view.details)

    def _countdown_text(self, view: CaseView) -> str:
        desk = self.ui.desk
        countdown = case_countdown(view, desk.clock(), desk.deadlines.working_time, self.level_of)
        return format_countdown(countdown)

    def _failed(self, error: BaseException) -> None:
        show_error(self.message, str(error))

    # --- actions -------------------------------------------------------------------------------

    @Slot()
    def on_action_clicked(self, event_type: EventType) -> None:
        if self.view is None:
            return
        desk = self.ui.desk
        values = ActionDialog.ask(
            self,
            event_type,
            self.view.state,
            desk.settings.units,
            desk.clock,
            desk.deadlines.working_time,
        )
        self.activateWindow()  # back from the step's dialog: keys come here again
        if values is not None:
            self.perform(event_type, values)

    def perform(self, event_type: EventType, values: dict[str, Any]) -> None:
        """Save one step (on the task runner); refusals show in the message line."""
        actor = self.ui.actor
        show_error(self.message, "")
        if actor is None:
            show_error(self.message, _("Log in first."))
            return
        case_id = self.case_id
        self.ui.tasks.run(
            lambda: self.handling.perform(case_id, event_type, actor, values),
            partial(self._saved, self.ticket),
            self._current(self._refused),
        )

    def _saved(self, ticket: int, saved: Any) -> None:
        current = ticket == self.ticket  # else the dialog went on to another case meanwhile
        if current:
            self._notice(_("Saved."))
        self.sig_saved.emit(saved)
        if current:
            self.load()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, FieldErrors):
            message = _("; ").join(error.errors.values())
        elif isinstance(error, PermissionDenied | DomainError | StoreError):
            message = str(error)  # a full disk says itself that nothing was saved
        else:
            message = _("Could not save: {problem}").format(problem=error)
        show_error(self.message, message)

    def _notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setToolTip(text)
        self.notice.setVisible(bool(text))

    # --- attachments ---------------------------------------------------------------------------

    @Slot(list)
    def on_attach_requested(self, paths: list[Path]) -> None:
        actor = self.ui.actor
        show_error(self.message, "")
        if actor is None:
            show_error(self.message, _("Log in first."))
            return
        desk, case_id = self.ui.desk, self.case_id
        self.ui.tasks.run(
            lambda: attach_files(desk.cases, blobs_of(desk), case_id, paths, actor),
            partial(self._attached, self.ticket),
            self._current(self._refused),
        )

    def _attached(self, ticket: int, saved: list[Any]) -> None:
        for one in saved:
            self.ui.bus.publish(one.changes)
            self.sig_saved.emit(one)
        if ticket == self.ticket:
            self._notice(_("{count} file(s) attached.").format(count=len(saved)))
            self.load()

    @Slot(object)
    def on_view_requested(self, item: Any) -> None:
        info: AttachmentInfo = item.info
        blobs = blobs_of(self.ui.desk)
        self.ui.tasks.run(
            lambda: content_of(blobs, info),
            self._current(lambda content: self._view(info, content)),
            self._current(self._failed),
        )

    def _view(self, info: AttachmentInfo, content: bytes) -> None:
        if self.viewer is not None:
            self.viewer.deleteLater()  # one at a time: the dialog lives on from case to case
        self.viewer = AttachmentViewer(info.filename, content, self)
        self.viewer.open()

    # --- reprint -------------------------------------------------------------------------------

    @Slot()
    def on_rate_clicked(self) -> None:
        if self.ui.ask_rating is not None:
            self.ui.ask_rating(self.case_id, self.rating_number)
            self.message.setText(_("The rating is asked on the screen facing the citizen."))

    @Slot()
    def on_reprint_clicked(self) -> None:
        """补打: the receipt again, marked as a copy, through the print queue."""
        if self.ui.actor is None or self.ui.printing is None:
            return
        case_id = self.case_id
        self.ui.tasks.run(
            lambda: self.handling.reprint_of(case_id),
            partial(self._reprint, self.ticket),
            self._current(self._failed),
        )

    def _reprint(self, ticket: int, found: tuple[Any, int]) -> None:
        case, copy = found
        if self.ui.printing is None:
            return
        self.ui.printing.print_receipt(self.ui.desk.settings, case, copy)  # asked for: printed
        if ticket == self.ticket:
            self._notice(_("Reprint sent to the printer (copy {copy}).").format(copy=copy))

    # --- supervision notice (督办单) -----------------------------------------------------------

    def supervision_path(self, number: str) -> Path:
        """Where the notice is written: the folder of the last export, else Documents."""
        from dnw_desk.ui.review.page import export_folder

        return export_folder(self.ui.local.export_dir) / f"督办单-{number}.pdf"

    @Slot()
    def on_notice_clicked(self) -> None:
        actor = self.ui.actor
        if self.view is None or actor is None:
            return
        from dnw_desk.reports import jobs

        desk, number = self.ui.desk, self.view.number
        path = self.supervision_path(number)

        def write() -> Path:
            jobs.supervision_pdf(desk, number, path, actor=actor)
            return path

        self.ui.tasks.run(
            write,
            self._current(self._notice_written),
            self._current(self._refused),
            lane="file",
        )

    def _notice_written(self, path: Path) -> None:
        self._notice(_("Supervision notice saved to {path}").format(path=path))

    # --- unmasking -----------------------------------------------------------------------------

    @Slot()
    def on_reveal_clicked(self, field: MaskedField) -> None:
        actor = self.ui.actor
        if actor is None or not may(actor.role, reveal_permission(field)):
            show_error(self.message, _("Only a shift lead may show personal data."))
            return
        reason = RevealDialog.ask(self, _(MASKED_FIELD_LABELS[field]))
        if reason is None:
            return
        case_id = self.case_id
        self.ui.tasks.run(
            lambda: self.handling.reveal(case_id, field, reason, actor),
            self._current(self._revealed),  # never into another case's dialog
            self._current(self._refused),
        )

    def _revealed(self, revealed: Revealed) -> None:
        self.pii_values[revealed.field].setText(revealed.value)
        self.pii_values[revealed.field].setProperty("revealed", True)
        self._notice(
            _("Shown in full for {seconds} seconds; the viewing is recorded.").format(
                seconds=REVEAL_SECONDS
            )
        )
        self.hide_timer.start()
        self.load_timeline_only()

    def load_timeline_only(self) -> None:
        case_id = self.case_id

        def reload() -> tuple[Any, ...]:
            return tuple(self.handling.cases.events(case_id))

        self.ui.tasks.run(reload, self._current(self.timeline.set_rows))

    @Slot()
    def on_hide_timer_timeout(self) -> None:
        self.hide_personal_data()

    def hide_personal_data(self) -> None:
        if self.view is None:
            return
        for field, value in self.pii_values.items():
            value.setText(self.view.masked.get(field, "—"))
            value.setProperty("revealed", False)
        self._notice("")

    def done(self, result: int) -> None:
        self.hide_personal_data()
        super().done(result)
