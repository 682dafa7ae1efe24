"""The same receipt as a PDF (reportlab): embedded TrueType fonts, vector QR code.

Used by the preview printer and for archiving. Sizes follow the raster (one thermal dot is
0.125 mm at 203 dpi), so the PDF looks like the paper. reportlab has no font fallback, so each
line is split into runs by which bundled font has the glyph (``fonts.font_for_char``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from dnw_desk.printing.flow import field_lines, largest_fitting
from dnw_desk.printing.fonts import CJK, LATIN, BundledFont, font_for_char
from dnw_desk.printing.layout import Align, Block, Field, Gap, Layout, QrCode, Rule, Style, Text
from dnw_desk.printing.raster import DOTS_80MM, RasterMetrics, qr_matrix
from dnw_desk.printing.textwrap_cjk import wrap

DOT: float = 0.125 * mm  # one thermal-printer dot


@cache
def _register(font: BundledFont) -> str:
    # subfontIndex / embedding: reportlab embeds a subset of every TrueType font it uses.
    pdfmetrics.registerFont(TTFont(font.key, str(font.path)))
    return font.key


def _runs(text: str, bold: bool) -> Iterator[tuple[str, str, bool]]:
    """(text, font key, synthesize bold) runs; bold CJK is drawn with fill+stroke."""
    current = ""
    current_key = ""
    fake_bold = False
    for char in text:
        font = font_for_char(char, bold) or CJK
        key = _register(font)
        if key != current_key and current:
            yield current, current_key, fake_bold
            current = ""
        current_key = key
        fake_bold = bold and not font.bold
        current += char
    if current:
        yield current, current_key, fake_bold


@cache
def _char_width(char: str, bold: bool) -> float:
    """Advance of ``char`` at 1 pt; wrapping measures many prefixes, so cache per character."""
    font = font_for_char(char, bold) or CJK
    return float(pdfmetrics.stringWidth(char, _register(font), 1.0))


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(_char_width(char, bold) for char in text) * size


@dataclass(frozen=True)
class _Line:
    x: float
    top: float
    size: float
    bold: bool
    text: str


@dataclass(frozen=True)
class _RuleLine:
    top: float
    dashed: bool


@dataclass(frozen=True)
class _Qr:
    x: float
    top: float
    module: float
    matrix: list[list[bool]]


class _Planner:
    def __init__(self, width_dots: int) -> None:
        metrics = RasterMetrics.for_width(width_dots)
        self.metrics = metrics
        self.width = width_dots * DOT
        self.margin = metrics.margin * DOT
        self.inner = self.width - 2 * self.margin
        self.y = self.margin
        self.items: list[_Line | _RuleLine | _Qr] = []

    def size(self, style: Style) -> float:
        return self.metrics.sizes[style] * DOT

    def add(self, block: Block) -> None:
        if isinstance(block, Text):
            size = self.size(block.style)
            if block.style is Style.CASE_NUMBER:
                size = largest_fitting(
                    block.text,
                    self.inner,
                    _shrinking(size, 2 * DOT, 2 * mm),
                    lambda candidate: _measure(candidate, block.bold),
                )
            for line in wrap(block.text, self.inner, lambda s: text_width(s, size, block.bold)):
                self._line(line, size, block.bold, block.align, self.margin)
        elif isinstance(block, Field):
            self._field(block)
        elif isinstance(block, Rule):
            self.y += 6 * DOT
            self.items.append(_RuleLine(self.y, block.dashed))
            self.y += 8 * DOT
        elif isinstance(block, QrCode):
            matrix = qr_matrix(block.payload)
            module = max(2, self.metrics.qr_target // len(matrix)) * DOT
            side = module * len(matrix)
            self.y += 4 * module - 8 * DOT
            self.items.append(_Qr(self.margin + (self.inner - side) / 2, self.y, module, matrix))
            self.y += side + 4 * module - 8 * DOT
        elif isinstance(block, Gap):
            self.y += self.size(Style.BODY) * block.lines

    def _line(self, text: str, size: float, bold: bool, align: Align, x: float) -> None:
        if align is not Align.LEFT:
            spare = self.inner - text_width(text, size, bold)
            x = self.margin + (spare / 2 if align is Align.CENTER else spare)
        self.items.append(_Line(x, self.y, size, bold, text))
        self.y += size * 1.38

    def _field(self, block: Field) -> None:
        size = self.size(Style.BODY)
        planned = field_lines(block, self.inner, _measure(size, False), _measure(size, block.bold))
        if planned.stacked:
            self._line(block.label, size, False, Align.LEFT, self.margin)
            for line in planned.values:
                self._line(line, size, block.bold, Align.LEFT, self.margin)
            return
        self.items.append(_Line(self.margin, self.y, size, False, block.label))
        for line in planned.values:
            self._line(line, size, block.bold, Align.LEFT, self.margin + planned.indent)


def _measure(size: float, bold: bool) -> Callable[[str], float]:
    return lambda text: text_width(text, size, bold)


def _shrinking(size: float, step: float, smallest: float) -> Iterator[float]:
    """``size``, then smaller by ``step`` while above ``smallest``."""
    yield size
    while size > smallest:
        size -= step
        yield size


def _draw_text(canvas: Canvas, item: _Line, page_height: float) -> None:
    baseline = page_height - item.top - item.size * 1.05
    x = item.x
    for run, key, fake_bold in _runs(item.text, item.bold):
        text = canvas.beginText(x, baseline)
        text.setFont(key, item.size)
        if fake_bold:
            # Fill and stroke: a synthetic bold for CJK. Tr is graphics state and reportlab
            # only emits it on change, so confine it with save/restore.
            canvas.saveState()
            canvas.setLineWidth(item.size * 0.04)
            text.setTextRenderMode(2)
        text.textOut(run)
        canvas.drawText(text)
        if fake_bold:
            canvas.restoreState()
        x += pdfmetrics.stringWidth(run, key, item.size)


def _draw_qr(canvas: Canvas, item: _Qr, page_height: float) -> None:
    top = page_height - item.top
    for row_index, row in enumerate(item.matrix):
        y = top - (row_index + 1) * item.module
        col = 0
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            # A run of dark modules as one rectangle: fewer path objects, no hairline seams.
            canvas.rect(
                item.x + start * item.module,
                y,
                (col - start) * item.module,
                item.module,
                stroke=0,
                fill=1,
            )


def render_pdf(layout: Layout, width_dots: int = DOTS_80MM, paper_mm: int | None = None) -> bytes:
    """A one-page PDF of ``layout``: paper wide, as tall as the receipt."""
    planner = _Planner(width_dots)
    for block in layout.blocks:
        planner.add(block)
    paper_width = (paper_mm * mm) if paper_mm else planner.width + 8 * mm
    offset = (paper_width - planner.width) / 2
    height = planner.y + planner.margin + 4 * mm
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(paper_width, height),
        pageCompression=1,
        initialFontName=_register(LATIN),  # else an unembedded Helvetica is referenced
    )
    canvas.setTitle(layout.kind.value)
    canvas.setCreator("dnw-desk")
    canvas.translate(offset, 0)
    for item in planner.items:
        if isinstance(item, _Line):
            _draw_text(canvas, item, height)
        elif isinstance(item, _RuleLine):
            canvas.setLineWidth(2 * DOT)
            canvas.setDash([4 * DOT, 3 * DOT] if item.dashed else [])
            y = height - item.top
            canvas.line(-offset, y, planner.width + offset, y)
            canvas.setDash([])
        else:
            _draw_qr(canvas, item, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def write_pdf(layout: Layout, path: Path, width_dots: int = DOTS_80MM) -> None:
    path.write_bytes(render_pdf(layout, width_dots))
