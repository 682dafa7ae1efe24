"""The 督办单 (supervision notice) as a one-page PDF for the unit: the case, the deadline it
missed, when it was escalated and by what, and room for the unit's answer and signatures."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from dnw_desk.i18n import _
from dnw_desk.reports.fonts import register_fonts
from dnw_desk.reports.pdf_common import MARGIN, para, stamp
from dnw_desk.reports.progress import atomic_output
from dnw_desk.services.supervision import SupervisionSheet


def _hours(sheet: SupervisionSheet) -> str:
    hours = sheet.overdue_by.total_seconds() / 3600
    return _("{hours:.1f} working hours").format(hours=hours)


def write_supervision_pdf(
    sheet: SupervisionSheet, out: Path, *, hall_name: str, window_name: str
) -> None:
    title = _("Supervision notice (督办单)")
    table = _sheet_table(sheet)
    register_fonts()
    with atomic_output(out) as temp:
        doc = SimpleDocTemplate(
            str(temp),
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author="dnw-desk",
        )
        doc.build(
            [
                para(f"{hall_name} · {window_name}", "subtitle"),
                para(title, "title", bold=True),
                para(
                    _(
                        "The unit below has not given its feedback by the deadline. Answer the "
                        "complainant and the window at once and return this notice with the "
                        "measures taken."
                    ),
                    "body",
                ),
                Spacer(1, 4 * mm),
                table,
                Spacer(1, 6 * mm),
                para(_("Printed {moment}.").format(moment=stamp(sheet.printed_at)), "subtitle"),
            ]
        )


def _sheet_table(sheet: SupervisionSheet) -> Table:
    """The notice's facts, with room to write the unit's answer and signature by hand."""
    how = (
        _("Automatically, on the second overdue working day")
        if sheet.automatic
        else _("By the shift lead")
    )
    rows = [
        (_("Case number"), sheet.number),
        (_("Responsible unit"), sheet.unit or "—"),
        (_("Service item"), sheet.service_item),
        (_("Category"), sheet.category),
        (_("Referred at"), stamp(sheet.referred_at) if sheet.referred_at else "—"),
        (_("Feedback due by"), stamp(sheet.deadline) if sheet.deadline else "—"),
        (_("Overdue by"), _hours(sheet)),
        (_("Escalated at"), stamp(sheet.escalated_at)),
        (_("Escalated"), how + (f" · {sheet.escalated_to}" if sheet.escalated_to else "")),
        (_("Returns by units"), str(sheet.returns)),
        (_("The unit's answer and measures"), ""),
        (_("Signature of the unit's head, date"), ""),
    ]
    width = A4[0] - 2 * MARGIN
    table = Table(
        [[para(label, "body", bold=True), para(value, "body")] for label, value in rows],
        colWidths=[45 * mm, width - 45 * mm],
        # Room to write by hand in the last two rows.
        rowHeights=[None] * (len(rows) - 2) + [40 * mm, 18 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#555555"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table
