"""The monthly per-unit accountability bulletin (责任单位月度通报): PDF and XLSX."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from dnw_desk.domain.unit_figures import MARK_LABELS, UnitBulletin, UnitFigures
from dnw_desk.i18n import N_, _
from dnw_desk.reports.chart import Bar, bar_chart
from dnw_desk.reports.pdf_common import MARGIN, PAGE, document, footer, para, percent, stamp, table
from dnw_desk.reports.progress import atomic_output

UNIT_COLUMNS = (
    N_("Responsible unit"),
    N_("Referrals"),
    N_("Fed back"),
    N_("On time"),
    N_("On-time rate"),
    N_("Overdue cases"),
    N_("Average working hours to feedback"),
    N_("Returns"),
    N_("Callbacks"),
    N_("Satisfied share"),
    N_("Satisfaction score (1–5)"),
)


def unit_cells(unit: UnitFigures) -> list[str | int]:
    return [
        unit.unit,
        unit.referrals,
        unit.fed_back,
        unit.on_time,
        percent(unit.on_time_rate),
        unit.overdue,
        "—" if unit.average_hours is None else f"{unit.average_hours:.1f}",
        unit.returns,
        unit.callbacks,
        percent(unit.satisfied_rate),
        "—" if unit.score is None else f"{unit.score:.2f}",
    ]


# The accountability table: each counted mark (UnitFigures field, title), then the ranking score.
MARK_COLUMNS = tuple(MARK_LABELS.items())
PENALTY_COLUMN = N_("Penalty score")


def mark_cells(unit: UnitFigures) -> list[str | int]:
    return [unit.unit, *(getattr(unit, name) for name, _label in MARK_COLUMNS), unit.penalty]


def bulletin_title(bulletin: UnitBulletin) -> str:
    return _("Per-unit bulletin for {month}").format(month=f"{bulletin.month:%Y-%m}")


def write_units_pdf(bulletin: UnitBulletin, out: Path, *, hall_name: str) -> None:
    title = bulletin_title(bulletin)
    width = PAGE[0] - 2 * MARGIN
    with atomic_output(out) as temp:
        doc = document(temp, title)
        rows = [unit_cells(u) for u in bulletin.units] + [unit_cells(bulletin.totals)]
        widths = [62 * mm] + [(width - 62 * mm) / (len(UNIT_COLUMNS) - 1)] * (len(UNIT_COLUMNS) - 1)
        story: list[object] = [
            para(hall_name, "subtitle"),
            para(title, "title", bold=True),
            para(
                _(
                    "Printed {moment}. Ranked by penalty score, worst first. Times count "
                    "working hours only."
                ).format(moment=stamp(bulletin.generated_at)),
                "subtitle",
            ),
            table([_(c) for c in UNIT_COLUMNS], rows, widths, numeric_from=1),
            para(_("Accountability by unit"), "heading", bold=True),
            table(
                [_("Responsible unit"), *(_(t) for _n, t in MARK_COLUMNS), _(PENALTY_COLUMN)],
                [mark_cells(u) for u in bulletin.units] + [mark_cells(bulletin.totals)],
                [62 * mm] + [(width - 62 * mm) / (len(MARK_COLUMNS) + 1)] * (len(MARK_COLUMNS) + 1),
                numeric_from=1,
            ),
            para(
                _(
                    "Penalty score: 3 per overdue case (late feedback, pending past the "
                    "deadline, returned late, a co-unit's part late) and per escalation (督办); 2 "
                    "per red card, per return rejected by the window, per bad rating (差评) and "
                    "per late rectification; 1 per yellow card, per other return, per answer "
                    "sent back (补办) and per extension granted."
                ),
                "subtitle",
            ),
            # The heading moves to the next page with its chart rather than end a page alone.
            KeepTogether(
                [
                    para(_("Overdue and returned cases by unit"), "heading", bold=True),
                    bar_chart(
                        _("Units with the most overdue cases"),
                        [_("Overdue cases"), _("Returns")],
                        [Bar(u.unit, (u.overdue, u.returns)) for u in bulletin.units],
                        width * 0.7,
                        max_bars=15,
                    ),
                ]
            ),
        ]
        on_page = footer(f"{hall_name} · {title}")
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


def write_units_xlsx(bulletin: UnitBulletin, out: Path, *, hall_name: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{bulletin.month:%Y-%m}"
    sheet.append([f"{hall_name} · {bulletin_title(bulletin)}"])
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_(c) for c in UNIT_COLUMNS]
    header[4], header[9] = _("On-time rate (%)"), _("Satisfied (%)")
    header += [_(title) for _name, title in MARK_COLUMNS] + [_(PENALTY_COLUMN)]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for unit in bulletin.units:
        sheet.append(_xlsx_values(unit))
    sheet.append(_xlsx_values(bulletin.totals))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 34
    for index in range(2, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 13
    sheet.freeze_panes = "B3"
    with atomic_output(out) as temp:
        book.save(temp)


def _xlsx_values(unit: UnitFigures) -> list[object]:
    # Numbers stay numbers in the spreadsheet (rates as fractions with a % format would need
    # styles per cell; a rounded percentage value is what the efficiency office asks for).
    return [
        unit.unit,
        unit.referrals,
        unit.fed_back,
        unit.on_time,
        None if unit.on_time_rate is None else round(unit.on_time_rate * 100, 1),
        unit.overdue,
        None if unit.average_hours is None else round(unit.average_hours, 1),
        unit.returns,
        unit.callbacks,
        None if unit.satisfied_rate is None else round(unit.satisfied_rate * 100, 1),
        None if unit.score is None else round(unit.score, 2),
        *(getattr(unit, name) for name, _label in MARK_COLUMNS),
        unit.penalty,
    ]
