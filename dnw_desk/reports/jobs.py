"""The reports as jobs on a desk: gather the figures, authorise and audit, write the file.

Shared by the command line and the review screen (which runs them on the task runner with a
progress callback and a cancel token).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dnw_desk.domain.roles import Actor, Permission
from dnw_desk.i18n import _
from dnw_desk.reports.progress import CancelToken, ExportCancelled, Progress, no_progress
from dnw_desk.services.cases import require
from dnw_desk.services.desk import Desk
from dnw_desk.services.review import ExportRequest, ReviewService, review_for


def daily_pdf(
    desk: Desk,
    day: date,
    out: Path,
    *,
    actor: Actor | None = None,
    masked: bool = True,
    reason: str = "",
    command_line_user: str = "",
) -> int:
    """Write the day ledger PDF; returns the number of cases listed."""
    from dnw_desk.reports.daily import write_daily_pdf

    if out.suffix.lower() != ".pdf":
        raise ValueError(_("The day ledger is written as a .pdf file."))
    service = review_for(desk)
    if actor is not None:
        require(actor, Permission.REVIEW)
    request = ExportRequest(day, day, masked, reason, "pdf")
    who = service.authorise_export(actor, request, command_line_user=command_line_user)
    settings = desk.settings
    with audited(service, who, request) as outcome:
        review = service.build_day_review(day)
        rows = list(service.iter_ledger(request))
        write_daily_pdf(
            review,
            rows,
            out,
            hall_name=settings.hall_name,
            window_name=settings.window_name,
            masked=masked,
        )
        outcome.rows = len(rows)
    return len(rows)


@dataclass
class _Outcome:
    rows: int = 0


@contextmanager
def audited(service: ReviewService, who: str, request: ExportRequest) -> Iterator[_Outcome]:
    """Audit the export once it is known what happened: its rows, or why it failed."""
    outcome = _Outcome()
    try:
        yield outcome
    except BaseException as exc:
        with contextlib.suppress(Exception):  # the database may be what failed (disk full)
            service.record_export(who, request, error=_failure(exc))
        raise
    service.record_export(who, request, rows=outcome.rows)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, ExportCancelled):
        return "cancelled"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}"[:200]


def units_report(desk: Desk, month: date, out: Path, *, actor: Actor | None = None) -> int:
    """Write the monthly per-unit bulletin as PDF or XLSX; returns the number of units."""
    from dnw_desk.reports.units import write_units_pdf, write_units_xlsx

    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise ValueError(
            _("The bulletin is written as .pdf or .xlsx, not “{suffix}”.").format(suffix=out.suffix)
        )
    if actor is not None:
        require(actor, Permission.REVIEW)
    bulletin = review_for(desk).unit_bulletin(month)
    writer = write_units_pdf if suffix == ".pdf" else write_units_xlsx
    writer(bulletin, out, hall_name=desk.settings.hall_name)
    return len(bulletin.units)


def ledger_export(
    desk: Desk,
    request: ExportRequest,
    out: Path,
    *,
    actor: Actor | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    command_line_user: str = "",
) -> int:
    """Write the ledger of a date range as XLSX or CSV; returns the row count."""
    from dnw_desk.reports.ledger import write_ledger

    service = review_for(desk)
    who = service.authorise_export(actor, request, command_line_user=command_line_user)
    total = service.ledger_count(request)
    title = _("Ledger {first} to {last}").format(
        first=request.first_day.isoformat(), last=request.last_day.isoformat()
    )
    if not request.masked:
        title += " · " + _("UNMASKED — confidential.")
    with audited(service, who, request) as outcome:
        outcome.rows = write_ledger(
            service.iter_ledger(request),
            out,
            total=total,
            progress=progress,
            cancel=cancel,
            title=f"{desk.settings.hall_name} · {title}",
        )
    return outcome.rows


def supervision_pdf(desk: Desk, number: str, out: Path, *, actor: Actor | None = None) -> str:
    """Write the 督办单 of an escalated case (by its number); returns the unit it goes to."""
    from dnw_desk.reports.supervision import write_supervision_pdf
    from dnw_desk.services.reference_data import category_names
    from dnw_desk.services.supervision import supervision_sheet

    if out.suffix.lower() != ".pdf":
        raise ValueError(_("The supervision notice is written as a .pdf file."))
    if actor is not None:
        require(actor, Permission.HANDLE)
    row = desk.cases.by_number(number)
    if row is None:
        raise ValueError(_("No case has the number {number}.").format(number=number))
    sheet = supervision_sheet(
        desk.db,
        row.id,
        desk.clock(),
        desk.deadlines.working_time,
        category_names(desk.settings.categories),
    )
    settings = desk.settings
    write_supervision_pdf(
        sheet, out, hall_name=settings.hall_name, window_name=settings.window_name
    )
    return sheet.unit
