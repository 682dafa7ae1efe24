"""The day ledger (每日台账) as a PDF: the day's figures, two charts, the handover note, and the
cases registered that day. Masked unless the caller passes unmasked rows (audited upstream)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Spacer, Table, TableStyle

from dnw_desk.domain.phone import display_phone
from dnw_desk.i18n import _
from dnw_desk.reports.chart import Bar, bar_chart
from dnw_desk.reports.fonts import string_width
from dnw_desk.reports.ledger import headings, on_time_label, status_label
from dnw_desk.reports.pdf_common import (
    MARGIN,
    PAGE,
    document,
    footer,
    para,
    percent,
    stamp,
    table,
)
from dnw_desk.reports.progress import atomic_output
from dnw_desk.services.bulletin import MARK_LABELS
from dnw_desk.services.reference_data import category_tag
from dnw_desk.services.review import DayReview, LedgerRow

# Ledger columns on paper (indexes into LEDGER_COLUMNS) and their widths in mm (landscape A4);
# None: the phone column, sized to its longest value, and the two wrapping text columns that
# share what is left of the page.
PDF_COLUMNS = (0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12)
PDF_WIDTHS_MM: tuple[float | None, ...] = (34, 11, 30, None, 10, None, None, 19, 20, 20, 10, 10)
PHONE_COLUMN = 3
NUMBER_COLUMN_MM = 8
# The longest phone on paper: a landline with a four-digit area code, as a clerk dials it.
# Phone cells are plain text (no wrapping), so the column must hold it whole.
LONGEST_PHONE = "0000-0000 0000"
CELL_FONT_SIZE = 7.5
CELL_PADDING = 3 + 3 + 2  # left and right padding of pdf_common.table, and a little air
# Room for the ledger's heading, legend, table header and a few rows: less than that left on
# page 1 and the ledger starts on the next page, otherwise right under the charts.
LEDGER_MIN_SPACE = 50 * mm


def write_daily_pdf(
    review: DayReview,
    rows: Sequence[LedgerRow],
    out: Path,
    *,
    hall_name: str,
    window_name: str,
    masked: bool = True,
) -> None:
    figures = review.figures
    title = _("Day ledger of {day}").format(day=figures.day.isoformat())
    with atomic_output(out) as temp:
        doc = document(temp, title)
        story: list[object] = [
            para(f"{hall_name} · {window_name}", "subtitle"),
            para(title, "title", bold=True),
            para(
                _("Printed {moment}; queue figures are as of printing.").format(
                    moment=stamp(review.generated_at)
                )
                + " "
                + (_("Personal data is masked.") if masked else _("UNMASKED — confidential.")),
                "subtitle",
            ),
            _figures_table(review),
            Spacer(1, 2 * mm),
            _pairs_table(accountability_pairs(review.marks)),
            Spacer(1, 4 * mm),
            _charts(review, PAGE[0] - 2 * MARGIN),
            para(_("Handover note"), "heading", bold=True),
            para(_handover_text(review), "body"),
            CondPageBreak(LEDGER_MIN_SPACE),
            para(
                _("Cases registered on {day} ({count})").format(
                    day=figures.day.isoformat(), count=len(rows)
                ),
                "heading",
                bold=True,
            ),
            para(_category_legend(rows), "subtitle"),
            _ledger_table(rows),
        ]
        on_page = footer(f"{hall_name} · {title}")
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


def _figures_table(review: DayReview) -> Table:
    f = review.figures
    pairs = (
        (_("Registered"), str(f.registered)),
        (_("Not accepted"), str(f.not_accepted)),
        (_("Awaiting feedback"), str(f.pending)),
        (_("Due soon"), str(f.due_soon)),
        (_("Overdue cases"), str(f.overdue)),
        (_("Fed back today"), str(f.fed_back)),
        (_("On-time rate"), percent(f.on_time_rate)),
    )
    return _pairs_table(pairs)


# The day's accountability marks on paper (fields of UnitFigures, titled by MARK_LABELS).
DAY_MARKS = (
    "late_returns",
    "returns_accepted",
    "returns_rejected",
    "extensions_requested",
    "extensions_granted",
    "yellow_cards",
    "red_cards",
    "escalations",
    "bad_ratings",
    "rectifications_on_time",
)


def accountability_pairs(marks: dict[str, int]) -> list[tuple[str, str]]:
    return [(_(MARK_LABELS[name]), str(marks.get(name, 0))) for name in DAY_MARKS]


def _pairs_table(pairs: Sequence[tuple[str, str]]) -> Table:
    data = [[para(label, "body") for label, _v in pairs], [para(v, "figure") for _l, v in pairs]]
    result = Table(data, colWidths=[(PAGE[0] - 2 * MARGIN) / len(pairs)] * len(pairs))
    result.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, "#9aa5b1"),
                ("INNERGRID", (0, 0), (-1, -1), 0.3, "#c8d0d8"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eef2f6"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return result


def _charts(review: DayReview, width: float) -> Table:
    half = width / 2 - 6
    by_category = bar_chart(
        _("By category"),
        [_("Registered"), _("Awaiting feedback"), _("Overdue cases")],
        [Bar(b.label, (b.registered, b.pending, b.overdue)) for b in review.by_category],
        half,
    )
    by_unit = bar_chart(
        _("By unit (most overdue first)"),
        [_("Awaiting feedback"), _("Overdue cases"), _("Returns")],
        [Bar(b.label, (b.pending, b.overdue, b.returns)) for b in review.by_unit],
        half,
        max_bars=10,
    )
    result = Table([[by_category, by_unit]], colWidths=[half + 6, half + 6])
    result.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return result


def _handover_text(review: DayReview) -> str:
    note = review.handover
    if note is None:
        return _("No handover note.")
    return _("{text}\n— {author}, {moment}").format(
        text=note.text, author=note.author, moment=stamp(note.written_at)
    )


def _short(moment: datetime | None, with_day: bool = True) -> str:
    if moment is None:
        return ""
    return f"{moment:%m-%d %H:%M}" if with_day else f"{moment:%H:%M}"


def _pdf_cells(row: LedgerRow) -> list[str | int]:
    """The ledger's cells, shortened for paper: the day is the report's (time only), the
    category by a short tag (the legend above the table names them)."""
    return [
        row.number,
        _short(row.registered_at, with_day=False),
        row.complainant,
        _paper_phone(row.phone),
        category_tag(row.category_code),
        row.service_item,
        row.unit,
        status_label(row.status),
        _short(row.deadline),
        _short(row.fed_back_at),
        on_time_label(row.on_time),
        row.returns,
    ]


def _paper_phone(phone: str) -> str:
    """A stored number as a clerk dials it (never ``+86…``); masked numbers are already so."""
    return display_phone(phone) if phone.startswith("+") else phone


def _column_widths() -> list[float]:
    fixed = sum(w for w in PDF_WIDTHS_MM if w is not None) * mm + NUMBER_COLUMN_MM * mm
    phone = string_width(LONGEST_PHONE, CELL_FONT_SIZE) + CELL_PADDING
    shared = (PAGE[0] - 2 * MARGIN - fixed - phone) / (PDF_WIDTHS_MM.count(None) - 1)
    widths = [
        (phone if index == PHONE_COLUMN else shared) if w is None else w * mm
        for index, w in enumerate(PDF_WIDTHS_MM)
    ]
    return [NUMBER_COLUMN_MM * mm, *widths]


def _category_legend(rows: Sequence[LedgerRow]) -> str:
    names: dict[str, set[str]] = {}
    for row in rows:
        names.setdefault(category_tag(row.category_code), set()).add(row.category)
    return _("Categories: {legend}").format(
        legend=_("; ").join(f"{tag} = {'、'.join(sorted(names[tag]))}" for tag in sorted(names))
    )


def _ledger_table(rows: Sequence[LedgerRow]) -> Table:
    titles = headings()
    header = [_("No.")] + [titles[i] for i in PDF_COLUMNS]
    body = [[index, *_pdf_cells(row)] for index, row in enumerate(rows, start=1)]
    return table(header, body, _column_widths())
