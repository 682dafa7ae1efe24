"""A form of (caption, text) label rows that is refilled in place: a reused dialog shows the
next case's rows in the labels the last case left, building only the rows it lacks."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel

from dnw_desk.ui.widgets import label


def fill_rows(form: QFormLayout, pairs: Sequence[tuple[str, str]]) -> None:
    """Show ``pairs`` as the form's rows: extra rows removed, the others refilled."""
    while form.rowCount() > len(pairs):
        form.removeRow(form.rowCount() - 1)
    for row, (title, text) in enumerate(pairs):
        if row < form.rowCount():
            caption, value = _row(form, row)
            caption.setText(title)
            value.setText(text)
            continue
        value = label(text, wrap=True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(title, value)


def clear_rows(form: QFormLayout) -> None:
    """Every caption and text emptied; the rows stay for the next fill."""
    for row in range(form.rowCount()):
        for line in _row(form, row):
            line.clear()


def _row(form: QFormLayout, row: int) -> tuple[QLabel, QLabel]:
    """The caption and the text of one row (both labels)."""
    found = []
    for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole):
        item = form.itemAt(row, role)
        widget = item.widget() if item is not None else None
        assert isinstance(widget, QLabel)
        found.append(widget)
    return found[0], found[1]
