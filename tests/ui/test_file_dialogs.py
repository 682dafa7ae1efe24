"""Qt's own file dialog (no native one offscreen or on a bare X session) shows its date
column whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QListView, QTreeView
from pytestqt.qtbot import QtBot

from dnw_desk.ui.file_dialogs import DIALOG_SIZE, file_dialog


@pytest.fixture
def large_font(qapp: QApplication) -> Iterator[None]:
    """The desk's large-font setting, where Qt's default dialog cut its columns."""
    before = qapp.font()
    font = qapp.font()
    font.setPointSizeF(15)
    qapp.setFont(font)
    yield
    qapp.setFont(before)


def test_the_detail_columns_fit_their_content(
    qtbot: QtBot, tmp_path: Path, large_font: None
) -> None:
    (tmp_path / "2026年11月台账.xlsx").write_bytes(b"x")
    dialog = file_dialog(None, "导出", str(tmp_path), "*.xlsx", save=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert (dialog.width(), dialog.height()) == DIALOG_SIZE
    tree = next(view for view in dialog.findChildren(QTreeView) if view.model() is not None)
    qtbot.waitUntil(lambda: tree.model().rowCount(tree.rootIndex()) > 0)
    header = tree.header()
    last = header.count() - 1
    for column in range(header.count()):
        assert header.sectionSize(column) >= tree.sizeHintForColumn(column) - 1, column
    sidebar = dialog.findChild(QListView, "sidebar")
    assert sidebar is not None and sidebar.width() >= sidebar.sizeHintForColumn(0)
    # Nothing runs past the view's right edge.
    assert header.sectionPosition(last) + header.sectionSize(last) <= tree.viewport().width()
