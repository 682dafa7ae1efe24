"""Fonts for the reportlab reports: the bundled TrueType fonts, registered once, and text split
into runs per font.

reportlab has no per-glyph fallback and the CJK font (Droid Sans Fallback) has no Latin letters
or digits, so every string is cut into runs by the font that can draw each character — the
fallback chain of ``dnw_desk.printing.fonts``, shared with the receipts. Paragraph text gets
``<font name=…>`` markup; chart labels get one ``String`` per run.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Group, String
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from dnw_desk.printing.fonts import ALL_FONTS, CJK, LATIN, LATIN_BOLD, font_for_char

BODY = LATIN.key
BOLD = LATIN_BOLD.key


@cache
def register_fonts() -> None:
    """Register (and so embed, subset) every bundled font with reportlab; idempotent."""
    for font in ALL_FONTS:
        pdfmetrics.registerFont(TTFont(font.key, str(font.path)))


def runs(text: str, bold: bool = False) -> Iterator[tuple[str, str]]:
    """(text, font key) runs; characters no font has go to the CJK font (drawn as a box)."""
    register_fonts()
    current, current_key = "", ""
    for char in text:
        key = (font_for_char(char, bold) or CJK).key
        if key != current_key and current:
            yield current, current_key
            current = ""
        current_key = key
        current += char
    if current:
        yield current, current_key


def markup(text: str, bold: bool = False) -> str:
    """``text`` as Paragraph markup with a font tag per run (XML-escaped: names are literal)."""
    parts = []
    for run, key in runs(text, bold):
        parts.append(f'<font name="{key}">{escape(run)}</font>')
    return "<br/>".join("".join(parts).split("\n"))


def string_width(text: str, size: float, bold: bool = False) -> float:
    return float(sum(pdfmetrics.stringWidth(run, key, size) for run, key in runs(text, bold)))


def label(
    x: float, y: float, text: str, size: float, *, anchor: str = "start", colour: object = None
) -> Group:
    """A chart label drawn run by run (reportlab's String takes a single font)."""
    width = string_width(text, size)
    start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    group = Group()
    for run, key in runs(text):
        string = String(start, y, run, fontName=key, fontSize=size)
        if colour is not None:
            string.fillColor = colour
        group.add(string)
        start += pdfmetrics.stringWidth(run, key, size)
    return group
