"""The bundled fonts: where they are, registering them with Qt, and glyph coverage.

Every renderer uses the same fallback chain (see ``resources/fonts/README.md``): DejaVu Sans for
Latin and punctuation, Droid Sans Fallback for CJK, HanaMinB for CJK Extension B (𠮷). The
coverage check reads the fonts' cmaps, so it needs no Qt and answers what the PDF can draw too.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dnw_desk.paths import resource_path

if TYPE_CHECKING:
    from PySide6.QtGui import QFont

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BundledFont:
    key: str  # the name reportlab registers it under
    family: str  # the family name inside the file (what Qt sees)
    file: str
    bold: bool = False

    @property
    def path(self) -> Path:
        return resource_path("fonts", self.file)


LATIN = BundledFont("DNW-Latin", "DejaVu Sans", "DejaVuSans-Latin.ttf")
LATIN_BOLD = BundledFont("DNW-Latin-Bold", "DejaVu Sans", "DejaVuSans-Bold-Latin.ttf", bold=True)
CJK = BundledFont("DNW-CJK", "Droid Sans Fallback", "DroidSansFallbackFull.ttf")
CJK_EXT_B = BundledFont("DNW-CJK-ExtB", "HanaMinB", "HanaMinB-ExtB.ttf")

# Fallback order for each character; bold text swaps the Latin face (CJK bold is synthesised).
FALLBACK_CHAIN = (LATIN, CJK, CJK_EXT_B)
BOLD_FALLBACK_CHAIN = (LATIN_BOLD, CJK, CJK_EXT_B)
ALL_FONTS = (LATIN, LATIN_BOLD, CJK, CJK_EXT_B)


@cache
def coverage(font: BundledFont) -> frozenset[int]:
    """The code points ``font`` has a glyph for (from its cmap)."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    face = TTFontFile(str(font.path))
    return frozenset(code for code, glyph in face.charToGlyph.items() if glyph)


def font_for_char(char: str, bold: bool = False) -> BundledFont | None:
    """The first font in the fallback chain that can draw ``char``, or None."""
    code = ord(char)
    for font in BOLD_FALLBACK_CHAIN if bold else FALLBACK_CHAIN:
        if code in coverage(font):
            return font
    return None


def _needs_glyph(char: str) -> bool:
    # Spaces, controls and format characters (ZWJ, variation selectors) draw nothing themselves.
    return unicodedata.category(char) not in ("Zs", "Cc", "Cf", "Mn") and char not in "\n\t"


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no bundled font can draw, each once, in order of appearance."""
    missing: list[str] = []
    for char in text:
        if _needs_glyph(char) and char not in missing and font_for_char(char) is None:
            missing.append(char)
    return missing


def describe_missing(chars: list[str]) -> str:
    """``'X' (U+XXXX)`` for each character: for a warning naming the characters."""
    return ", ".join(f"'{char}' (U+{ord(char):04X})" for char in chars)


_qt_families: tuple[str, ...] | None = None
# QFontDatabase is thread-safe; the desk registers the fonts on a thread at start-up while the
# print worker may ask for them too: register once.
_qt_lock = threading.Lock()


def bundled_families() -> tuple[str, ...]:
    """The bundled font families in fallback order (without registering anything)."""
    return tuple(dict.fromkeys(font.family for font in ALL_FONTS))


def register_qt_fonts() -> tuple[str, ...]:
    """Add the bundled fonts to Qt's font database (once); return the fallback family list.

    Needs a ``QGuiApplication``; may run on any thread. Qt then falls back per glyph along
    this list.
    """
    with _qt_lock:
        return _register_qt_fonts()


def _register_qt_fonts() -> tuple[str, ...]:
    global _qt_families
    if _qt_families is not None:
        return _qt_families
    from PySide6.QtGui import QFontDatabase

    families: list[str] = []
    for font in ALL_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(font.path))
        if font_id < 0:
            log.warning("Qt could not load bundled font %s", font.file)
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    _qt_families = tuple(families)
    return _qt_families


def qt_font(pixel_size: int, bold: bool = False) -> QFont:
    from PySide6.QtGui import QFont

    register_qt_fonts()
    font = QFont()
    font.setFamilies([f.family for f in FALLBACK_CHAIN])
    font.setPixelSize(pixel_size)
    font.setBold(bold)
    # Thermal paper is 1-bit: hinting keeps strokes on whole dots, so they survive thresholding.
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    return font
