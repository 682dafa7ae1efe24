"""The handling steps' form dialogs: their captions as a Chinese-speaking clerk reads them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType, fold
from dnw_desk.services.action_forms import ACTION_FORMS
from dnw_desk.ui.action_dialog import ActionDialog
from tests.factories import desk_at, register

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def _captions(dialog: ActionDialog) -> list[str]:
    form = dialog.findChild(QFormLayout)
    assert form is not None
    captions = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QLabel):
            captions.append(widget.text())
    return captions


@pytest.mark.parametrize("step", list(ACTION_FORMS), ids=str)
def test_an_optional_field_says_so_once_and_in_chinese_punctuation(
    qtbot: QtBot, step: EventType, data_dir: Path
) -> None:
    """转办 read "协办单位（用逗号分隔，可不填）（选填）", and every optional caption had a space
    before its full-width bracket: "备注 （选填）"."""
    desk, clock = desk_at(data_dir, NOW)
    state = fold(desk.cases.events(register(desk).case.id))
    desk.close()
    dialog = ActionDialog(step, state, ["省公安厅"], clock)
    qtbot.addWidget(dialog)
    for caption in _captions(dialog):
        assert not ("可不填" in caption and "选填" in caption), caption
        assert " （" not in caption, caption
