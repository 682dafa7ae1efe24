"""Shared pieces of the PDF reports: page template, styles, a table of Paragraph cells."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

from dnw_desk.domain.unit_figures import percent as percent  # reports import it from here
from dnw_desk.i18n import _
from dnw_desk.reports.fonts import BODY, markup, register_fonts, runs

PAGE = landscape(A4)
MARGIN = 12 * mm
GRID = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4e9f0")


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {
        "title": ParagraphStyle("title", fontName=BODY, fontSize=16, leading=21, spaceAfter=4),
        "subtitle": ParagraphStyle(
            "subtitle",
            fontName=BODY,
            fontSize=9,
            leading=12,
            textColor=colors.HexColor("#444444"),
            spaceAfter=6,
        ),
        "heading": ParagraphStyle(
            "heading", fontName=BODY, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=BODY, fontSize=9, leading=12.5),
        "cell": ParagraphStyle("cell", fontName=BODY, fontSize=7.5, leading=9.5),
        "head_cell": ParagraphStyle("head_cell", fontName=BODY, fontSize=7.5, leading=9.5),
        "figure": ParagraphStyle("figure", fontName=BODY, fontSize=15, leading=19),
    }


def para(text: str, style: str = "body", bold: bool = False) -> Paragraph:
    return Paragraph(markup(text, bold), styles()[style])


def cell(text: str | int) -> Paragraph | str:
    """A table cell: plain text when one font draws it all (fast), else a Paragraph."""
    value = str(text)
    parts = list(runs(value))
    if len(parts) <= 1 and value.isascii():
        return value
    return Paragraph(markup(value), styles()["cell"])


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str | int]],
    widths: Sequence[float],
    *,
    numeric_from: int | None = None,
) -> LongTable:
    """A table that repeats its header on every page."""
    data: list[list[Any]] = [[para(title, "head_cell", bold=True) for title in header]]
    data.extend([cell(value) for value in row] for row in rows)
    result = LongTable(data, colWidths=list(widths), repeatRows=1)
    commands: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), BODY),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if numeric_from is not None:
        commands.append(("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"))
    result.setStyle(TableStyle(commands))
    return result


def document(out: Path, title: str) -> SimpleDocTemplate:
    register_fonts()
    return SimpleDocTemplate(
        str(out),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author="dnw-desk",
    )


def footer(footer_text: str) -> Any:
    """An onPage callback drawing ``footer_text`` and the page number at the bottom."""

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        text = f"{footer_text} · " + _("Page {page}").format(page=doc.page)
        x = MARGIN
        for run, key in runs(text):
            canvas.setFont(key, 7.5)
            canvas.drawString(x, MARGIN - 2 * mm, run)
            x += canvas.stringWidth(run, key, 7.5)
        canvas.restoreState()

    return draw


def stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"
