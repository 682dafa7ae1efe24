"""Qt's own strings that its Chinese catalogue (qtbase_zh_CN) leaves in English.

The file dialog's "Look in:" and "Files of type:" reached a clerk in English. Only the strings
seen untranslated are listed; everything else still comes from Qt's catalogue.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTranslator

_MISSING: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "Look in:"): "查找范围：",
    ("QFileDialog", "Files of type:"): "文件类型：",
}


class QtGapsTranslator(QTranslator):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def isEmpty(self) -> bool:
        return False

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        # None (a null QString) lets Qt ask the next catalogue; "" would blank the text.
        return _MISSING.get((context, source_text))
