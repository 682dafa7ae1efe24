"""The desk's seam to printing: receipts and not-accepted slips through the persisted print queue.

Screens call ``print_receipt`` / ``print_slip`` and go on. The job is written to the queue on the
desk database (``DatabaseJobStore``, on the DB lane) and ``PrintWorker`` prints it on its own
thread; the worker's ``on_done`` comes back to the GUI thread through a queued signal. A job that
did not print stays *failed* in the database with its reason, so the status bar offers *retry*
(and the intake screen *reprint*) even after the desk was closed and started again; a job left
*queued* or *printing* by a crash is printed at the next start.

When a receipt (or reprint) printed, the case's ``receipt_printed`` event is recorded with the
copy number through ``CaseService.record`` on the DB lane.

Two addresses besides real printers: ``preview`` (no printer: the PNG and PDF go to
``<data dir>/receipts/``) and ``dummy`` (python-escpos' ``Dummy`` printer kept in memory, for tests
and demos). The printer test page is not queued: it goes straight to the address being tested
and reports back to the dialog that asked for it.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from dnw_desk.clock import Clock, system_clock
from dnw_desk.domain.roles import Actor
from dnw_desk.i18n import _
from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData, TestPageData
from dnw_desk.printing.queue import (
    JobKind,
    JobStatus,
    MemoryJobStore,
    PrintFunction,
    PrintJob,
    PrintJobStore,
    PrintWorker,
    data_from_payload,
    enqueue,
    retry,
)
from dnw_desk.services.print_records import record_receipt_printed, records_a_copy
from dnw_desk.services.receipts import receipt_data, slip_data
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.store.cases_repo import CaseRow

if TYPE_CHECKING:
    from dnw_desk.services.cases import Saved
    from dnw_desk.services.desk import Desk

log = logging.getLogger(__name__)
IDLE_CHECK_MS = 60_000

DUMMY_URI = "dummy"
PREVIEW_URI = "preview"
Document = ReceiptData | NotAcceptedSlipData | TestPageData
RECENT_JOBS = 50


@dataclass(frozen=True)
class PrintOutcome:
    """A finished queue job as the screens see it."""

    job: PrintJob
    title: str
    outputs: tuple[Path, ...] = ()  # the PNG and PDF, for the preview printer

    @property
    def case_id(self) -> str | None:
        return self.job.case_id

    @property
    def copy_number(self) -> int:
        return self.job.copy_number

    @property
    def error(self) -> str:
        return self.job.last_error or ""

    @property
    def document(self) -> Document:
        return data_from_payload(self.job.payload)


def job_title(job: PrintJob) -> str:
    """What the clerk reads about a job; the case number only, never personal data."""
    number = str(job.payload.get("fields", {}).get("case_number", ""))
    if job.kind is JobKind.SLIP:
        return _("Notification slip {number}").format(number=number)
    if job.kind is JobKind.TEST:
        return _("Printer test page")
    if job.copy_number > 1:
        return _("Reprint {number} (copy {copy})").format(number=number, copy=job.copy_number)
    return _("Receipt {number}").format(number=number)


def render_document(document: Document, width_dots: int = 576) -> QImage:
    """The document as the printer will print it (also the on-screen preview)."""
    from dnw_desk.printing.jobs import layout_for
    from dnw_desk.printing.raster import render

    return render(layout_for(document), width_dots)


# --- print functions: one per kind of address ------------------------------------------------


class PreviewPrinter:
    """The ``preview`` address: no printer, the document is saved as PNG and PDF."""

    def __init__(self, folder: Path, width_dots: int, clock: Clock = system_clock) -> None:
        self.folder = folder
        self.width_dots = width_dots
        self.clock = clock
        self.last_outputs: tuple[Path, ...] = ()
        self._count = 0

    def __call__(self, data: Document) -> None:
        from dnw_desk.printing.jobs import layout_for, write_pdf, write_png

        layout = layout_for(data)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count += 1
        number = getattr(data, "case_number", "") or "test"
        stem = f"{self.clock():%Y%m%d-%H%M%S}-{number}-{self._count}-{layout.kind.value}"
        png, pdf = self.folder / f"{stem}.png", self.folder / f"{stem}.pdf"
        write_png(layout, png, self.width_dots)
        write_pdf(layout, pdf, self.width_dots)
        self.last_outputs = (png, pdf)


def escpos_function(send: Callable[[bytes], None], profile_name: str) -> PrintFunction:
    """Render raster ESC/POS for ``profile_name`` and hand the bytes to ``send``."""
    from dnw_desk.printing.escpos_out import profile_named
    from dnw_desk.printing.jobs import OutputMode, escpos_bytes, layout_for

    profile = profile_named(profile_name)

    def print_document(data: Document) -> None:
        send(escpos_bytes(layout_for(data), profile, OutputMode.RASTER))

    return print_document


def print_function_for(
    uri: str, profile_name: str, data_dir: Path, dummy: Callable[[], Any], clock: Clock
) -> PrintFunction:
    """The ``PrintFunction`` for a printer address (raises ``ValueError`` for a bad one)."""
    from dnw_desk.printing.escpos_out import profile_named

    uri = uri.strip() or PREVIEW_URI
    if uri == PREVIEW_URI:
        try:
            width = profile_named(profile_name).width_dots
        except ValueError:
            width = 576
        return PreviewPrinter(data_dir / "receipts", width, clock)
    if uri == DUMMY_URI:
        return escpos_function(lambda payload: dummy()._raw(payload), profile_name)
    from dnw_desk.printing.queue import default_print_function

    return default_print_function(uri, profile_name, "raster")


class PrintJobs(QObject):
    sig_state = Signal(str, str)
    """Printer state changed: (``"idle"`` | ``"printing"`` | ``"ok"`` | ``"error"``, message)."""

    sig_job_done = Signal(object)
    """A ``PrintOutcome`` printed (or was saved, for the preview printer)."""

    sig_job_failed = Signal(object)
    """A ``PrintOutcome`` failed; the job stays failed in the queue for retry."""

    sig_jobs_changed = Signal(object)
    """The open jobs (queued, printing, failed) as a list of ``PrintJob``, oldest first."""

    sig_worker_done = Signal(object)
    """Internal: the worker thread finished a job: ``(PrintJob, outputs)``, queued to the GUI."""

    sig_lane_queued = Signal(object)
    """Internal: ``save_then_print`` queued ``(document, (job, open jobs) or the error)``."""

    def __init__(
        self,
        tasks: Any,
        data_dir: Path,
        printer_uri: str,
        profile_name: str = "80mm",
        clock: Clock = system_clock,
        store: PrintJobStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.data_dir = data_dir
        self.printer_uri = printer_uri
        self.profile_name = profile_name
        self.clock = clock
        self.store: PrintJobStore = store if store is not None else MemoryJobStore()
        # Set by the composition root: the open desk (for ``receipt_printed``) and who is at
        # the counter.
        self.desk: Desk | None = None
        self.actor_of: Callable[[], Actor | None] = lambda: None
        self.open_jobs: list[PrintJob] = []
        self.printed: collections.deque[PrintOutcome] = collections.deque(maxlen=RECENT_JOBS)
        self._actors: dict[str, Actor] = {}
        self._dummy: Any = None
        self._dummy_lock = threading.Lock()
        self._function: tuple[tuple[str, str], PrintFunction] | None = None
        self._last_outputs: tuple[Path, ...] = ()
        self.worker = PrintWorker(
            self.store, self._print_document, clock, on_done=self._on_worker_done
        )
        self._started = False
        # While idle the printer is asked now and then, so the status bar does not keep
        # "ready" for a printer that went away between two receipts.
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(IDLE_CHECK_MS)
        self.watch_timer.timeout.connect(self.on_watch_timer_timeout)
        self._checking = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        # The worker thread emits; the slot runs on the GUI thread.
        self.sig_worker_done.connect(self.on_self_worker_done, Qt.ConnectionType.QueuedConnection)
        self.sig_lane_queued.connect(self.on_self_lane_queued, Qt.ConnectionType.QueuedConnection)

    # --- public API ----------------------------------------------------------------------

    @property
    def dummy(self) -> Any:
        """The in-memory python-escpos ``Dummy`` printer behind the ``dummy`` address."""
        with self._dummy_lock:
            if self._dummy is None:
                from escpos.printer import Dummy

                self._dummy = Dummy()
            return self._dummy

    @property
    def failed(self) -> list[PrintJob]:
        return [job for job in self.open_jobs if job.status is JobStatus.FAILED]

    def start(self) -> None:
        """Requeue what a crash interrupted, start the worker and list the open jobs (DB lane)."""
        if self._started:
            return
        self._started = True

        def start() -> list[PrintJob]:
            self.worker.start()
            return self.store.open_jobs()

        self.tasks.run(start, self._show_open_jobs, self._on_store_error)
        self.watch_timer.start()

    @Slot()
    def on_watch_timer_timeout(self) -> None:
        self.check_idle_printer()

    def check_idle_printer(self) -> None:
        """Ask the printer for its state on the print lane, unless a job is on its way (the
        job reports then) or the address needs no asking (preview, the in-memory dummy)."""
        uri = self.printer_uri
        if self._checking or self.open_jobs or uri in ("dummy", "preview"):
            return
        self._checking = True

        def ask() -> Any:
            from dnw_desk.printing.connection import check_status
            from dnw_desk.printing.uri import parse_printer_uri

            return check_status(parse_printer_uri(uri))

        self.tasks.run(ask, self._on_idle_status, self._on_idle_check_failed, lane="print")

    def _on_idle_status(self, status: Any) -> None:
        self._checking = False
        if self.open_jobs:
            return  # a job started meanwhile and speaks for itself
        if status.ready:
            self.sig_state.emit("ok", _("Printer: ready"))
        else:
            self.sig_state.emit("error", _("Printer: {problem}").format(problem=status.message()))

    def _on_idle_check_failed(self, error: BaseException) -> None:
        self._checking = False
        self.sig_state.emit("error", _("Printer: {problem}").format(problem=error))

    def shutdown(self) -> None:
        """Stop the worker thread (before the database closes)."""
        self.watch_timer.stop()
        if self._started:
            self.worker.stop()
            self._started = False

    def configure(self, printer_uri: str, profile_name: str) -> None:
        self.printer_uri = printer_uri
        self.profile_name = profile_name

    def print_receipt(self, settings: BusinessSettings, case: CaseRow, copy: int = 1) -> None:
        self._submit(receipt_data(settings, case, copy), case.id)

    def print_slip(
        self, settings: BusinessSettings, case: CaseRow, reason: str, advice: str
    ) -> None:
        self._submit(slip_data(settings, case, reason, advice), case.id)

    def retry_failed(self) -> None:
        """Put every failed job back in the queue (same copy number) and wake the worker."""
        self.retry_jobs([job.id for job in self.failed])

    def retry_jobs(self, job_ids: list[str]) -> None:
        store, clock, actor = self.store, self.clock, self.actor_of()
        if actor is None:
            return  # receipts carry personal data: nothing prints with nobody logged in

        def requeue() -> list[PrintJob]:
            for job_id in job_ids:
                try:
                    retry(store, job_id, clock)
                except ValueError:
                    continue  # printed or requeued meanwhile
            return store.open_jobs()

        if actor is not None:
            self._actors.update(dict.fromkeys(job_ids, actor))
        self.sig_state.emit("printing", _("Printing again…"))
        self.tasks.run(requeue, self._on_requeued, self._on_store_error)

    def test_print(
        self,
        settings: BusinessSettings | None,
        uri: str,
        on_done: Callable[[tuple[Path, ...]], None],
        on_error: Callable[[str], None],
    ) -> None:
        """Print the test page to ``uri`` on the print lane (not queued: nothing to retry)."""
        document = TestPageData(
            printer_uri=uri or self.printer_uri,
            profile_name=self.profile_name,
            printed_at=self.clock(),
            hall_name=settings.hall_name if settings else "",
            window_no=settings.window_no if settings else "",
        )
        target, profile = (uri or self.printer_uri), self.profile_name

        def send() -> tuple[Path, ...]:
            function = print_function_for(
                target, profile, self.data_dir, lambda: self.dummy, self.clock
            )
            function(document)
            return getattr(function, "last_outputs", ())

        self.tasks.run(
            send,
            on_done,
            lambda error: on_error(str(error) or error.__class__.__name__),
            lane="print",
        )

    def preview(self, document: Document, on_done: Any) -> None:
        """Render ``document`` on the print lane and hand the QImage to ``on_done``."""
        width = self._width_dots()
        self.tasks.run(
            lambda: render_document(document, width), on_done, self._on_render_error, lane="print"
        )

    # --- work ------------------------------------------------------------------------------

    def _width_dots(self) -> int:
        from dnw_desk.printing.escpos_out import profile_named

        try:
            return profile_named(self.profile_name).width_dots
        except ValueError:
            return 576

    def save_then_print(
        self, save: Callable[[], Saved], document_of: Callable[[CaseRow], Document]
    ) -> Callable[[], Saved]:
        """``save`` (a DB-lane task) followed, in the same task, by queueing the new case's
        document and handing it to the worker the moment the save committed: nothing else on
        the lane (a repeat-visitor lookup, an alert refresh) comes between the case and its
        receipt. The queue's failure does not undo the save: it is reported like any other."""
        queue = self._queue_on_lane()

        def work() -> Saved:
            saved = save()
            document = document_of(saved.case)
            try:
                self.sig_lane_queued.emit((document, queue(document, saved.case.id)))
            except Exception as exc:  # the case is saved; the clerk can reprint it
                self.sig_lane_queued.emit((document, exc))
            return saved

        return work

    def _submit(self, document: Document, case_id: str | None) -> None:
        queue = self._queue_on_lane()
        self._show_printing(document)
        self.tasks.run(
            lambda: queue(document, case_id),
            lambda queued: self._show_open_jobs(queued[1]),
            self._on_store_error,
        )

    def _queue_on_lane(self) -> Callable[[Document, str | None], tuple[PrintJob, list[PrintJob]]]:
        """A function for the DB lane: store the job already claimed and hand it to the worker
        at once, not after a trip through the GUI thread, nor behind a claim that waits for the
        database's writer. Returns the job and the open jobs."""
        store, clock, worker, actor = self.store, self.clock, self.worker, self.actor_of()

        def queue(document: Document, case_id: str | None) -> tuple[PrintJob, list[PrintJob]]:
            job = enqueue(store, document, case_id, clock, claimed=True)
            if actor is not None:
                self._actors[job.id] = actor
            worker.hand(job)
            return job, store.open_jobs()

        return queue

    @Slot(object)
    def on_self_lane_queued(self, queued: tuple[Document, Any]) -> None:
        document, result = queued
        if isinstance(result, BaseException):
            self._on_store_error(result)
            return
        self._show_printing(document)
        self._show_open_jobs(result[1])

    def _show_printing(self, document: Document) -> None:
        title = _("Printing {title}…").format(title=_document_title(document))
        self.sig_state.emit("printing", title)

    def _print_document(self, document: Document) -> None:
        """Runs on the worker thread: the function for the address configured now."""
        key = (self.printer_uri.strip() or PREVIEW_URI, self.profile_name)
        self._last_outputs = ()
        if self._function is None or self._function[0] != key:
            function = print_function_for(
                key[0], key[1], self.data_dir, lambda: self.dummy, self.clock
            )
            self._function = (key, function)
        function = self._function[1]
        function(document)
        self._last_outputs = getattr(function, "last_outputs", ())

    def _on_worker_done(self, job: PrintJob) -> None:
        # Worker thread, right after the job: its outputs travel with it (the worker may have
        # printed the next job by the time the GUI thread reads them).
        outputs = self._last_outputs if job.status is JobStatus.DONE else ()
        self.sig_worker_done.emit((job, outputs))

    @Slot(object)
    def on_self_worker_done(self, finished: tuple[PrintJob, tuple[Path, ...]]) -> None:
        job, outputs = finished
        outcome = PrintOutcome(job, job_title(job), outputs)
        self._refresh_open_jobs()
        if job.status is JobStatus.DONE:
            self.printed.append(outcome)
            if outputs:
                message = _("{title}: saved (preview printer).").format(title=outcome.title)
            else:
                message = _("{title}: printed.").format(title=outcome.title)
            self.sig_state.emit("ok", message)
            self.sig_job_done.emit(outcome)
            self._record_printed(outcome)
        else:
            log.warning("print job %s failed", job.id)
            self.sig_state.emit(
                "error",
                _("{title} did not print: {reason}").format(
                    title=outcome.title, reason=outcome.error
                ),
            )
            self.sig_job_failed.emit(outcome)

    def _record_printed(self, outcome: PrintOutcome) -> None:
        """``receipt_printed`` on the DB lane, by who asked for the job (services.print_records
        decides whether the job handed out a copy)."""
        job = outcome.job
        actor = self._actors.pop(job.id, None) or self.actor_of()
        saved_as_files = bool(outcome.outputs)
        if self.desk is None or not records_a_copy(job, saved_as_files=saved_as_files):
            return
        cases = self.desk.cases

        def record() -> Saved | None:
            return record_receipt_printed(cases, job, actor, saved_as_files=saved_as_files)

        # The runner publishes the changes; a failure is only logged: the receipt did print.
        self.tasks.run(
            record, on_error=lambda error: log.warning("receipt_printed not recorded: %s", error)
        )

    def _refresh_open_jobs(self) -> None:
        self.tasks.run(self.store.open_jobs, self._show_open_jobs, self._on_store_error)

    def _show_open_jobs(self, jobs: list[PrintJob]) -> None:
        self.open_jobs = list(jobs)
        self.sig_jobs_changed.emit(self.open_jobs)

    def _on_requeued(self, jobs: list[PrintJob]) -> None:
        self._show_open_jobs(jobs)
        self.worker.wake()

    def _on_store_error(self, error: BaseException) -> None:
        log.error("print queue: %s", error.__class__.__name__)
        self.sig_state.emit(
            "error",
            _("The print queue could not be read or written: {reason}").format(reason=error),
        )

    def _on_render_error(self, error: BaseException) -> None:
        self.sig_state.emit(
            "error", _("The preview could not be drawn: {reason}").format(reason=error)
        )


def _document_title(document: Document) -> str:
    if isinstance(document, NotAcceptedSlipData):
        return _("Notification slip {number}").format(number=document.case_number)
    if isinstance(document, ReceiptData):
        if document.is_reprint:
            return _("Reprint {number} (copy {copy})").format(
                number=document.case_number, copy=document.copy_number
            )
        return _("Receipt {number}").format(number=document.case_number)
    return _("Printer test page")


def open_job_lines(jobs: list[PrintJob]) -> list[str]:
    """One line per open job for the status bar's list."""
    lines = []
    for job in jobs:
        when = f"{job.created_at:%m-%d %H:%M}" if isinstance(job.created_at, datetime) else ""
        if job.status is JobStatus.FAILED:
            state = _("failed: {reason}").format(reason=job.last_error or "")
        else:
            state = _("waiting")
        lines.append(f"{when} {job_title(job)} — {state}")
    return lines
