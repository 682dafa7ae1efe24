"""The ledger (台账) as rows for a table: column headings and cell values, and the XLSX / CSV
writers. The PDF uses the same columns (``reports.daily``).

XLSX streams rows straight into the file (``reports.xlsx_stream``), so 100 000 rows need little
memory. CSV is UTF-8 with a byte-order mark so Excel on Chinese Windows opens it right.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from dnw_desk.domain.case import SATISFACTION_LABELS, STATUS_LABELS, Satisfaction, Status
from dnw_desk.i18n import N_, _
from dnw_desk.reports.progress import CancelToken, Progress, atomic_output, no_progress
from dnw_desk.reports.xlsx_stream import BOLD, TITLE, xlsx_sheet
from dnw_desk.services.review import LedgerRow

LEDGER_COLUMNS = (
    N_("Case number"),
    N_("Registered at"),
    N_("Complainant"),
    N_("Phone"),
    N_("ID number / credit code"),
    N_("Category"),
    N_("Service item"),
    N_("Responsible unit"),
    N_("Status"),
    N_("Deadline"),
    N_("Fed back"),
    N_("On time"),
    N_("Returns"),
    N_("Satisfaction"),
    N_("Clerk no."),
)
PROGRESS_EVERY = 500


def moment(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def status_label(value: str) -> str:
    try:
        return _(STATUS_LABELS[Status(value)])
    except ValueError:
        return value


def satisfaction_label(value: str) -> str:
    try:
        return _(SATISFACTION_LABELS[Satisfaction(value)])
    except ValueError:
        return value


def on_time_label(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def ledger_cells(row: LedgerRow) -> list[str | int]:
    return [
        row.number,
        moment(row.registered_at),
        row.complainant,
        row.phone,
        row.id_number,
        row.category,
        row.service_item,
        row.unit,
        status_label(row.status),
        moment(row.deadline),
        moment(row.fed_back_at),
        on_time_label(row.on_time),
        row.returns,
        satisfaction_label(row.satisfaction),
        row.clerk_no,
    ]


def headings() -> list[str]:
    return [_(title) for title in LEDGER_COLUMNS]


def write_ledger(
    rows: Iterable[LedgerRow],
    out: Path,
    *,
    total: int = 0,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    title: str = "",
) -> int:
    """Write the rows as XLSX or CSV (by the suffix of ``out``); returns the row count.
    Raises ExportCancelled (leaving no file) if ``cancel`` is set meanwhile."""
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValueError(_("Export to .xlsx or .csv, not “{suffix}”.").format(suffix=out.suffix))
    with atomic_output(out) as temp:
        if suffix == ".csv":
            return _write_csv(rows, temp, total, progress, cancel)
        return _write_xlsx(rows, temp, total, progress, cancel, title)


def _tick(count: int, total: int, progress: Progress, cancel: CancelToken | None) -> None:
    if count % PROGRESS_EVERY == 0:
        if cancel is not None:
            cancel.check()
        progress(count, total)


def _write_csv(
    rows: Iterable[LedgerRow],
    path: Path,
    total: int,
    progress: Progress,
    cancel: CancelToken | None,
) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings())
        for row in rows:
            writer.writerow(ledger_cells(row))
            count += 1
            _tick(count, total, progress, cancel)
    progress(count, total)
    return count


COLUMN_WIDTHS = (22, 17, 14, 15, 21, 22, 28, 22, 12, 17, 17, 8, 8, 12, 9)


def _write_xlsx(
    rows: Iterable[LedgerRow],
    path: Path,
    total: int,
    progress: Progress,
    cancel: CancelToken | None,
    title: str,
) -> int:
    count = 0
    with xlsx_sheet(path, _("Ledger"), COLUMN_WIDTHS, 2 if title else 1) as sheet:
        if title:
            sheet.append([title], TITLE)
        sheet.append(headings(), BOLD)
        for row in rows:
            sheet.append(ledger_cells(row))
            count += 1
            _tick(count, total, progress, cancel)
        if cancel is not None:
            cancel.check()
    progress(count, total)
    return count
