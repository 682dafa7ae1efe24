"""The desk's look: fonts (the bundled CJK fonts behind the system face), Qt's own translations,
the style sheet. Qt and small modules only: it runs before the first window."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

LARGE_FONT_SCALE = 1.3


def setup_qt_look(
    app: QApplication, language: str, large_font: bool, fonts_in_background: bool = False
) -> None:
    """Fonts, Qt's own translations and the style sheet; call once, before any window.

    ``fonts_in_background``: register the bundled fonts (26 MB of files, ~10 ms) on a thread
    (QFontDatabase is thread-safe) instead of before the first window; the application font
    names them already, and Qt picks them up when they are in.
    """
    import threading

    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QFont

    from dnw_desk.printing.fonts import bundled_families, register_qt_fonts
    from dnw_desk.ui.widgets import APP_STYLE

    if fonts_in_background:
        threading.Thread(target=register_qt_fonts, name="dnw-fonts", daemon=True).start()
        bundled = bundled_families()
    else:
        bundled = register_qt_fonts()
    font = QFont(app.font())
    # The system face first (it looks native), then the bundled fonts for what it lacks.
    font.setFamilies([font.family(), *[f for f in bundled if f != font.family()]])
    if large_font:
        size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        font.setPointSizeF(size * LARGE_FONT_SCALE)
    app.setFont(font)
    translator = QTranslator(app)
    qt_language = "zh_CN" if language == "zh_CN" else "en"
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{qt_language}", path):
        app.installTranslator(translator)
    if qt_language == "zh_CN":
        from dnw_desk.ui.qt_gaps import QtGapsTranslator

        app.installTranslator(QtGapsTranslator(app))  # last installed is asked first
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese if language == "zh_CN" else QLocale.Language.English)
    )
    app.setStyleSheet(APP_STYLE)
