"""Qt's own dialogs speak Chinese where Qt's catalogue does not (issue 11, defect 11)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from dnw_desk.ui.qt_gaps import QtGapsTranslator


def test_the_file_dialog_labels_are_chinese(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    translator = QtGapsTranslator()
    app.installTranslator(translator)
    try:
        dialog = QFileDialog(None, "导出", "/tmp")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dialog)
        texts = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
        assert "查找范围(&L)：" in texts and "文件类型(&T)：" in texts
        assert not any("Look in" in text or "Files of" in text for text in texts)
    finally:
        app.removeTranslator(translator)
