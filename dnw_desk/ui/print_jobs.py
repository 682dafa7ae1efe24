"""The desk's seam to printing: receipts, not-accepted slips and the test page, off the GUI thread.

Screens call ``print_receipt`` / ``print_slip`` and go on; the job is laid out, rendered and sent
on the task runner's ``print`` lane. A failure never blocks the next registration: it is kept in
``failed`` (with the bytes, so a retry prints exactly the same receipt) and reported through
``sig_state`` for the status bar, which offers *retry* and *reprint*.

Uses the public API of ``dnw_desk.printing`` (document data, ``layout_for``, ``escpos_bytes``,
``send_job``). Two addresses are handled here: ``preview`` (no printer: the PNG and PDF go to
``<data dir>/receipts/``) and ``dummy`` (python-escpos' ``Dummy`` printer kept in memory, for tests
and demos). The persisted print queue (``dnw_desk.store.print_queue``) is not there yet; when it
is, ``_submit`` is the one place to switch to it.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from dnw_desk.clock import Clock, system_clock
from dnw_desk.i18n import _
from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData, TestPageData
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.store.cases_repo import CaseRow

log = logging.getLogger(__name__)

DUMMY_URI = "dummy"
PREVIEW_URI = "preview"
Document = ReceiptData | NotAcceptedSlipData | TestPageData


@dataclass
class PrintJob:
    job_id: int
    title: str  # e.g. "AH08-20261124-0007K receipt"; never personal data
    document: Document
    case_id: str | None = None
    payload: bytes = b""
    error: str = ""
    attempts: int = 0
    done_at: datetime | None = None
    outputs: list[Path] = field(default_factory=list)


def category_label(settings: BusinessSettings, code: str, language: str) -> str:
    for category in settings.categories:
        if category.code == code:
            return category.label_en if language == "en" and category.label_en else category.label
    return code


def receipt_data(settings: BusinessSettings, case: CaseRow, copy_number: int = 1) -> ReceiptData:
    language = settings.receipt_language
    return ReceiptData(
        hall_name=settings.hall_name,
        window_no=settings.window_no,
        case_number=case.number,
        verification_code=case.verification_code,
        status_url_base=settings.status_url_base,
        registered_at=case.registered_at,
        clerk_number=case.clerk_no,
        complainant_name=case.complainant_name or "",
        phone=case.phone or "",
        category_label=category_label(settings, case.category, language),
        service_item=case.service_item,
        responsible_unit=case.lead_unit or "",
        deadline=case.deadline,
        deadline_provisional=case.deadline_provisional,
        id_number=case.id_number,
        copy_number=copy_number,
        language=language,
        hotline=settings.hotline,
    )


def slip_data(
    settings: BusinessSettings, case: CaseRow, reason: str, advice: str
) -> NotAcceptedSlipData:
    return NotAcceptedSlipData(
        hall_name=settings.hall_name,
        window_no=settings.window_no,
        case_number=case.number,
        registered_at=case.registered_at,
        clerk_number=case.clerk_no,
        complainant_name=case.complainant_name or "",
        service_item=case.service_item,
        reason=reason,
        advice=advice,
        phone=case.phone,
        language=settings.receipt_language,
        hotline=settings.hotline,
    )


def render_document(document: Document, width_dots: int = 576) -> QImage:
    """The document as the printer will print it (also the on-screen preview)."""
    from dnw_desk.printing.jobs import layout_for
    from dnw_desk.printing.raster import render

    return render(layout_for(document), width_dots)


class PrintJobs(QObject):
    sig_state = Signal(str, str)
    """Printer state changed: (``"idle"`` | ``"printing"`` | ``"ok"`` | ``"error"``, message)."""

    sig_job_done = Signal(object)
    """A ``PrintJob`` printed (or was saved, for the preview printer)."""

    sig_job_failed = Signal(object)
    """A ``PrintJob`` failed; it stays in ``failed`` for retry."""

    def __init__(
        self,
        tasks: Any,
        data_dir: Path,
        printer_uri: str,
        profile_name: str = "80mm",
        clock: Clock = system_clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.data_dir = data_dir
        self.printer_uri = printer_uri
        self.profile_name = profile_name
        self.clock = clock
        self.failed: list[PrintJob] = []
        self.printed: list[PrintJob] = []
        self._ids = itertools.count(1)
        self._dummy: Any = None

    # --- public API ----------------------------------------------------------------------

    @property
    def dummy(self) -> Any:
        """The in-memory python-escpos ``Dummy`` printer behind the ``dummy`` address."""
        if self._dummy is None:
            from escpos.printer import Dummy

            self._dummy = Dummy()
        return self._dummy

    def configure(self, printer_uri: str, profile_name: str) -> None:
        self.printer_uri = printer_uri
        self.profile_name = profile_name

    def print_receipt(self, settings: BusinessSettings, case: CaseRow, copy: int = 1) -> PrintJob:
        title = _("Receipt {number}").format(number=case.number)
        if copy > 1:
            title = _("Reprint {number} (copy {copy})").format(number=case.number, copy=copy)
        return self._submit(
            PrintJob(next(self._ids), title, receipt_data(settings, case, copy), case.id)
        )

    def print_slip(
        self, settings: BusinessSettings, case: CaseRow, reason: str, advice: str
    ) -> PrintJob:
        title = _("Notification slip {number}").format(number=case.number)
        document = slip_data(settings, case, reason, advice)
        return self._submit(PrintJob(next(self._ids), title, document, case.id))

    def test_print(
        self, settings: BusinessSettings | None = None, uri: str | None = None
    ) -> PrintJob:
        document = TestPageData(
            printer_uri=uri or self.printer_uri,
            profile_name=self.profile_name,
            printed_at=self.clock(),
            hall_name=settings.hall_name if settings else "",
            window_no=settings.window_no if settings else "",
        )
        job = PrintJob(next(self._ids), _("Printer test page"), document)
        return self._submit(job, uri=uri)

    def retry_failed(self) -> int:
        """Send every failed job again (same bytes); returns how many were retried."""
        jobs, self.failed = self.failed, []
        for job in jobs:
            self._submit(job)
        return len(jobs)

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

    def _submit(self, job: PrintJob, uri: str | None = None) -> PrintJob:
        target = (uri or self.printer_uri).strip() or PREVIEW_URI
        self.sig_state.emit("printing", _("Printing {title}…").format(title=job.title))
        self.tasks.run(
            lambda: self._print(job, target),
            self.on_job_printed,
            lambda error: self.on_job_error(job, error),
            lane="print",
        )
        return job

    def _print(self, job: PrintJob, uri: str) -> PrintJob:
        """Runs on the print lane: lay out, render, send. Raises with a message for people."""
        from dnw_desk.printing.escpos_out import profile_named
        from dnw_desk.printing.jobs import OutputMode, escpos_bytes, layout_for

        job.attempts += 1
        profile = profile_named(self.profile_name)
        layout = layout_for(job.document)
        if uri == PREVIEW_URI:
            job.outputs = self._save_preview(job, layout, profile.width_dots)
        else:
            if not job.payload:
                job.payload = escpos_bytes(layout, profile, OutputMode.RASTER)
            if uri == DUMMY_URI:
                self.dummy._raw(job.payload)
            else:
                from dnw_desk.printing.connection import send_job
                from dnw_desk.printing.uri import parse_printer_uri

                send_job(parse_printer_uri(uri), job.payload)
        job.done_at = self.clock()
        job.error = ""
        return job

    def _save_preview(self, job: PrintJob, layout: Any, width: int) -> list[Path]:
        from dnw_desk.printing.jobs import write_pdf, write_png

        folder = self.data_dir / "receipts"
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{self.clock():%Y%m%d-%H%M%S}-{job.job_id}-{layout.kind.value}"
        png, pdf = folder / f"{stem}.png", folder / f"{stem}.pdf"
        write_png(layout, png, width)
        write_pdf(layout, pdf, width)
        return [png, pdf]

    @Slot(object)
    def on_job_printed(self, job: PrintJob) -> None:
        self.printed.append(job)
        if job.outputs:
            message = _("{title}: saved (preview printer).").format(title=job.title)
        else:
            message = _("{title}: printed.").format(title=job.title)
        self.sig_state.emit("ok" if not self.failed else "error", message)
        self.sig_job_done.emit(job)

    def on_job_error(self, job: PrintJob, error: BaseException) -> None:
        job.error = str(error) or error.__class__.__name__
        log.warning("print job %s failed: %s", job.job_id, error.__class__.__name__)
        self.failed.append(job)
        self.sig_state.emit(
            "error",
            _("{title} did not print: {reason}").format(title=job.title, reason=job.error),
        )
        self.sig_job_failed.emit(job)

    def _on_render_error(self, error: BaseException) -> None:
        self.sig_state.emit(
            "error", _("The preview could not be drawn: {reason}").format(reason=error)
        )
