"""Input helpers of the intake form: dates typed as text, field rows with their messages."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtWidgets import QLabel, QWidget

from dnw_desk.domain.registration import split_units as split_units  # the intake form's
from dnw_desk.i18n import _
from dnw_desk.ui.widgets import error_label, mark_invalid, show_error, vbox

_DATE = re.compile(r"^\s*(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D*\s*$")
_DATE_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


class DateParseError(ValueError):
    pass


def parse_date(text: str) -> date | None:
    """``2026-11-20``, ``2026/11/20``, ``2026.11.20``, ``20261120`` or ``2026年11月20日``;
    None for an empty field."""
    text = text.strip()
    if not text:
        return None
    compact = text.replace("年", "-").replace("月", "-").replace("日", "")
    match = _DATE.match(compact) or (
        re.match(r"^(\d{4})(\d{2})(\d{2})$", compact) if compact.isdigit() else None
    )
    if match is None:
        raise DateParseError(_("Type the date as YYYY-MM-DD, e.g. 2026-11-20."))
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise DateParseError(_("“{text}” is not a valid date.").format(text=text)) from None


def parse_date_list(text: str) -> tuple[date, ...]:
    days = []
    for part in _DATE_LIST_SEPARATORS.split(text.strip()):
        if part:
            day = parse_date(part)
            if day is not None:
                days.append(day)
    return tuple(days)


class FieldRow:
    """One input, the message under it, and an optional hint (e.g. birth date from the ID)."""

    def __init__(self, editor: QWidget, hint: QLabel | None = None) -> None:
        self.editor = editor
        self.error = error_label()
        self.hint = hint
        self.touched = False  # the clerk has left the field once: show its problems now
        self.container = QWidget()
        items: list[object] = [editor, self.error]
        if hint is not None:
            items.append(hint)
        self.container.setLayout(vbox(*items, spacing=2))

    def set_error(self, message: str) -> None:
        show_error(self.error, message)
        mark_invalid(self.editor, bool(message))

    @property
    def message(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""

    def setVisible(self, visible: bool) -> None:
        self.container.setVisible(visible)
