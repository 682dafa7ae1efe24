"""From document data to output: layout, glyph check, ESC/POS bytes, PNG, PDF.

The entry points the rest of the app uses. Raster output needs a ``QGuiApplication`` (the desk's
``QApplication`` will do); ``ensure_qt()`` makes one for the CLI and tests.
"""

from __future__ import annotations

import enum
import logging
import os
from pathlib import Path

from dnw_desk.i18n import _
from dnw_desk.printing.escpos_out import PrinterProfile, raster_job, text_job
from dnw_desk.printing.fonts import describe_missing, missing_glyphs
from dnw_desk.printing.layout import Layout, receipt_layout, slip_layout, test_page_layout
from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData, TestPageData

log = logging.getLogger(__name__)

DocumentData = ReceiptData | NotAcceptedSlipData | TestPageData


class OutputMode(enum.StrEnum):
    RASTER = "raster"
    TEXT = "text"


def layout_for(data: DocumentData) -> Layout:
    if isinstance(data, ReceiptData):
        return receipt_layout(data)
    if isinstance(data, NotAcceptedSlipData):
        return slip_layout(data)
    return test_page_layout(data)


def glyph_warning(layout: Layout) -> str | None:
    """A warning naming the characters no bundled font can draw, or None when all can."""
    missing = missing_glyphs("".join(layout.user_text))
    if not missing:
        return None
    # The characters come from names: say which code points, never log the name itself.
    log.warning("%d character(s) without a glyph in a %s", len(missing), layout.kind.value)
    return _("No font can print these characters: {chars}. They will show as boxes.").format(
        chars=describe_missing(missing)
    )


def ensure_qt() -> None:
    """Make sure a QGuiApplication exists (offscreen when there is no display)."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        global _app
        _app = QGuiApplication([])


_app: object = None


def escpos_bytes(layout: Layout, profile: PrinterProfile, mode: OutputMode) -> bytes:
    if mode is OutputMode.TEXT:
        return text_job(layout, profile)
    from dnw_desk.printing.raster import render

    return raster_job(render(layout, profile.width_dots), profile)


def write_png(layout: Layout, path: Path, width_dots: int) -> None:
    from dnw_desk.printing.raster import render

    # PySide6 stubs disagree between releases on the format type; str works at run time.
    if not render(layout, width_dots).save(str(path), "PNG"):  # type: ignore[call-overload,unused-ignore]
        raise OSError(f"could not write {path}")


def write_pdf(layout: Layout, path: Path, width_dots: int) -> None:
    from dnw_desk.printing.pdf import render_pdf

    path.write_bytes(render_pdf(layout, width_dots))
