"""Line breaking for mixed Chinese/Latin text, measured in display columns or in pixels.

A CJK character takes two columns on a thermal printer's text mode (24 dots against 12 for a
Latin character), so wrapping counts columns, not characters. Breaks are allowed between CJK
characters and at spaces; Latin words and numbers stay whole unless longer than a line. Closing
punctuation is never put at the start of a line (a small 禁则 rule, as Chinese typesetting does).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

# Punctuation that must not begin a line / must not end one.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉’”…—·,.;:?!)]}%％～")
NO_LINE_END = frozenset("（《「『【〔〈‘“([{￥¥$")


def char_columns(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a printer's text mode (CJK and full-width forms count 2)."""
    return sum(char_columns(char) for char in text)


@cache
def encoded_columns(char: str, encoding: str = "gb18030") -> int:
    """Columns ``char`` takes on a printer in its Chinese text mode: the firmware prints every
    multi-byte sequence as one double-width glyph, whatever Unicode says of its width (“ ” … — ·
    × → are narrow in Unicode, two bytes in GB18030). A character the encoding lacks never goes
    as text, so its display width stands in."""
    try:
        return 1 if len(char.encode(encoding)) == 1 else 2
    except UnicodeEncodeError:
        return char_columns(char)


def encoded_width(text: str, encoding: str = "gb18030") -> int:
    """Columns ``text`` takes on a printer in its Chinese text mode, measured by its encoding."""
    return sum(encoded_columns(char, encoding) for char in text)


def _is_breakable_char(char: str) -> bool:
    """A character that forms its own word: wide (CJK, full-width) characters."""
    return char_columns(char) == 2


def tokens(text: str) -> list[str]:
    """Split into unbreakable pieces: single wide characters, Latin words, single spaces."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if _is_breakable_char(char) or char == " ":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    # Glue kinsoku punctuation to its neighbour so a break never separates them.
    glued: list[str] = []
    for token in tokens:
        if glued and (token[0] in NO_LINE_START or glued[-1][-1] in NO_LINE_END):
            glued[-1] += token
        else:
            glued.append(token)
    return glued


def wrap(text: str, limit: float, measure: Callable[[str], float]) -> list[str]:
    """Break ``text`` into lines no wider than ``limit`` as measured by ``measure``.

    Explicit newlines are kept. A single token wider than the line is cut by character.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for token in tokens(paragraph):
            candidate = current + token
            if measure(candidate) <= limit:
                current = candidate
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = token.lstrip(" ")
            while current and measure(current) > limit:
                cut = _longest_fitting_prefix(current, limit, measure)
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current.rstrip())
    return lines


def _longest_fitting_prefix(text: str, limit: float, measure: Callable[[str], float]) -> int:
    cut = 1
    while cut < len(text) and measure(text[: cut + 1]) <= limit:
        cut += 1
    return cut


def wrap_columns(text: str, columns: int) -> list[str]:
    """Wrap for the printer's text mode: ``columns`` is the line width in half-width cells."""
    return wrap(text, columns, display_width)


def pad_columns(text: str, columns: int, align: str = "left") -> str:
    """Pad ``text`` with spaces to ``columns`` display columns (for centring in text mode)."""
    gap = max(0, columns - display_width(text))
    if align == "center":
        return " " * (gap // 2) + text
    if align == "right":
        return " " * gap + text
    return text
