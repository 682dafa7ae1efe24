"""Raster rendering with QtGui: the layout drawn on a QImage, exactly as the printer gets it.

The same image is the on-screen preview and what goes to the printer (``GS v 0`` in strips),
so what the clerk sees is what the citizen gets. QPainter on a QImage works on the offscreen
platform and needs only a ``QGuiApplication``; Qt's per-glyph fallback along the bundled fonts
draws rare name characters such as 𠮷.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import qrcode
from PySide6.QtCore import QPointF, QRect
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from dnw_desk.printing.flow import field_lines, largest_fitting
from dnw_desk.printing.fonts import qt_font
from dnw_desk.printing.layout import Align, Block, Field, Gap, Layout, QrCode, Rule, Style, Text
from dnw_desk.printing.textwrap_cjk import wrap

if TYPE_CHECKING:
    from PIL import Image

# Thermal heads: 8 dots/mm (203 dpi). 80 mm paper prints 72 mm = 576 dots, 58 mm prints 48 mm.
DOTS_80MM = 576
DOTS_58MM = 384
DOTS_TM_T88 = 512
QR_MASK_PATTERN = 2


@dataclass(frozen=True)
class RasterMetrics:
    width: int
    margin: int
    sizes: dict[Style, int]
    qr_target: int  # wanted QR code width in dots

    @classmethod
    def for_width(cls, width: int) -> RasterMetrics:
        if width < 100:
            raise ValueError(f"paper too narrow: {width} dots")
        wide = width >= 500
        # 24-dot body text is the size of a printer's own CJK font (24×24): 24 characters
        # per line on 80 mm, 16 on 58 mm, as people are used to.
        sizes = {
            Style.TITLE: 30 if wide else 26,
            Style.HEADING: 34 if wide else 28,
            Style.BODY: 24,
            Style.SMALL: 20 if wide else 18,
            Style.CASE_NUMBER: 44 if wide else 36,
        }
        return cls(width, 8 if wide else 4, sizes, 200 if wide else 168)


@dataclass(frozen=True)
class _TextOp:
    x: float
    baseline: float
    font: QFont
    text: str


@dataclass(frozen=True)
class _RuleOp:
    y: float
    dashed: bool


@dataclass(frozen=True)
class _QrOp:
    x: int
    y: int
    module: int
    matrix: list[list[bool]]


_Op = _TextOp | _RuleOp | _QrOp


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules for ``payload`` (error correction M, no quiet zone)."""
    # A fixed mask pattern: any mask decodes; qrcode's search for the "best" of the eight is
    # pure Python and took three quarters of the receipt's render time.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK_PATTERN
    )
    code.add_data(payload)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


class _Planner:
    """Turns blocks into positioned draw operations; measures with Qt's fallback-aware metrics."""

    def __init__(self, metrics: RasterMetrics) -> None:
        self.m = metrics
        self.ops: list[_Op] = []
        self.y = float(metrics.margin)
        self._fonts: dict[tuple[int, bool], tuple[QFont, QFontMetricsF, dict[str, float]]] = {}

    def font(self, size: int, bold: bool) -> tuple[QFont, QFontMetricsF, Callable[[str], float]]:
        key = (size, bold)
        if key not in self._fonts:
            font = qt_font(size, bold)
            self._fonts[key] = (font, QFontMetricsF(font), {})
        font, fm, cache = self._fonts[key]

        def measure(text: str) -> float:
            # Sum of cached per-character advances: wrapping measures many prefixes.
            total = 0.0
            for char in text:
                advance = cache.get(char)
                if advance is None:
                    advance = cache[char] = fm.horizontalAdvance(char)
                total += advance
            return total

        return font, fm, measure

    @property
    def inner(self) -> float:
        return float(self.m.width - 2 * self.m.margin)

    def add(self, block: Block) -> None:
        if isinstance(block, Text):
            self._text(block)
        elif isinstance(block, Field):
            self._field(block)
        elif isinstance(block, Rule):
            self.y += 6
            self.ops.append(_RuleOp(self.y, block.dashed))
            self.y += 8
        elif isinstance(block, QrCode):
            self._qr(block)
        elif isinstance(block, Gap):
            self.y += self.m.sizes[Style.BODY] * block.lines

    def _text(self, block: Text) -> None:
        size = self.m.sizes[block.style]
        if block.style is Style.CASE_NUMBER:
            size = largest_fitting(
                block.text,
                self.inner,
                range(size, 15, -2),
                lambda candidate: self.font(candidate, block.bold)[2],
            )
        font, fm, measure = self.font(size, block.bold)
        for line in wrap(block.text, self.inner, measure):
            self._line(line, font, fm, measure(line), block.align, float(self.m.margin))

    def _line(
        self, line: str, font: QFont, fm: QFontMetricsF, width: float, align: Align, x: float
    ) -> None:
        if align is Align.CENTER:
            x = self.m.margin + (self.inner - width) / 2
        elif align is Align.RIGHT:
            x = self.m.margin + self.inner - width
        line_height = fm.height() * 1.18
        baseline = self.y + (line_height - fm.height()) / 2 + fm.ascent()
        self.ops.append(_TextOp(x, baseline, font, line))
        self.y += line_height

    def _field(self, block: Field) -> None:
        size = self.m.sizes[Style.BODY]
        label_font, fm, label_measure = self.font(size, False)
        value_font, _, value_measure = self.font(size, block.bold)
        planned = field_lines(block, self.inner, label_measure, value_measure)
        left = float(self.m.margin)
        if planned.stacked:
            self._line(block.label, label_font, fm, label_measure(block.label), Align.LEFT, left)
            for line in planned.values:
                self._line(line, value_font, fm, 0, Align.LEFT, left)
            return
        first, *rest = planned.values
        self._line(first, value_font, fm, 0, Align.LEFT, left + planned.indent)
        first_op = self.ops[-1]
        assert isinstance(first_op, _TextOp)
        self.ops.append(_TextOp(left, first_op.baseline, label_font, block.label))
        for line in rest:
            self._line(line, value_font, fm, 0, Align.LEFT, left + planned.indent)

    def _qr(self, block: QrCode) -> None:
        matrix = qr_matrix(block.payload)
        count = len(matrix)
        module = max(2, self.m.qr_target // count)
        size = module * count
        quiet = 4 * module  # the standard's quiet zone, above and below
        self.y += quiet - 8
        x = self.m.margin + int((self.inner - size) / 2)
        self.ops.append(_QrOp(x, round(self.y), module, matrix))
        self.y += size + quiet - 8


def plan(layout: Layout | tuple[Block, ...], width: int) -> tuple[list[_Op], int]:
    metrics = RasterMetrics.for_width(width)
    planner = _Planner(metrics)
    blocks = layout.blocks if isinstance(layout, Layout) else layout
    for block in blocks:
        planner.add(block)
    height = int(planner.y + metrics.margin + 0.5)
    return planner.ops, height


def render(layout: Layout | tuple[Block, ...], width: int = DOTS_80MM) -> QImage:
    """Draw ``layout`` on a white 8-bit grayscale image ``width`` dots wide."""
    ops, height = plan(layout, width)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setPen(QColor(0, 0, 0))
        for op in ops:
            if isinstance(op, _TextOp):
                painter.setFont(op.font)
                painter.drawText(QPointF(op.x, op.baseline), op.text)
            elif isinstance(op, _RuleOp):
                pen = QPen(QColor(0, 0, 0), 2)
                if op.dashed:
                    pen.setDashPattern([4.0, 3.0])
                painter.setPen(pen)
                painter.drawLine(QPointF(0, op.y), QPointF(width, op.y))
                painter.setPen(QColor(0, 0, 0))
            elif isinstance(op, _QrOp):
                _draw_qr(painter, op)
    finally:
        painter.end()
    return image.convertToFormat(QImage.Format.Format_Grayscale8)


def _draw_qr(painter: QPainter, op: _QrOp) -> None:
    # One module per pixel, scaled up without smoothing: one draw call, crisp edges.
    count = len(op.matrix)
    pixels = bytes(0 if dark else 255 for row in op.matrix for dark in row)
    modules = QImage(pixels, count, count, count, QImage.Format.Format_Grayscale8)
    size = count * op.module
    painter.drawImage(QRect(op.x, op.y, size, size), modules)


def to_pil(image: QImage, threshold: int = 160, ink: bool = False) -> Image.Image:
    """The image as a 1-bit PIL image for python-escpos (dark below ``threshold``). ``ink``:
    dark dots are 1 (white 0), as the printer's raster commands take them."""
    from PIL import Image

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())
    pil = Image.frombuffer(
        "L", (gray.width(), gray.height()), data, "raw", "L", gray.bytesPerLine(), 1
    )
    light, dark = (0, 255) if ink else (255, 0)
    return pil.point(lambda value: light if value >= threshold else dark, mode="1")
