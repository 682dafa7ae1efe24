"""ESC/POS byte streams for a layout: raster (the default) and Chinese text mode.

Both are produced on python-escpos' ``Dummy`` printer, so a job is a plain ``bytes`` value: it can
be saved, inspected in tests, queued and sent over any transport.

Raster: the QtGui image, 1-bit, sent with ``GS v 0`` in strips (printers have small receive
buffers and some refuse images taller than ~1000 dots), then cut.

Text mode, for printers with Chinese firmware: ``ESC @``, ``FS &`` (Chinese character mode), each
line encoded GB18030 and sent raw. python-escpos' ``text()`` is not used: its code-page guessing
mangles full-width punctuation and a lone ``¥``. A line the printer's font cannot hold (outside
the BMP, private use, or not encodable) goes as a small image. Lines wrap by the columns the
printer gives the encoded bytes (a two-byte sequence prints double width).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from escpos.printer import Dummy
from PySide6.QtGui import QImage

from dnw_desk.printing.flow import field_lines, largest_fitting
from dnw_desk.printing.layout import Align, Block, Field, Gap, Layout, QrCode, Rule, Style, Text
from dnw_desk.printing.raster import DOTS_58MM, DOTS_80MM, DOTS_TM_T88, render, to_pil
from dnw_desk.printing.textwrap_cjk import encoded_width, wrap

ESC_INIT = b"\x1b\x40"  # ESC @
FS_CHINESE_ON = b"\x1c\x26"  # FS &
FS_CHINESE_OFF = b"\x1c\x2e"  # FS .
ESC_BOLD = b"\x1b\x45"  # ESC E n
ESC_ALIGN = b"\x1b\x61"  # ESC a n
GS_SIZE = b"\x1d\x21"  # GS ! n
STRIP_HEIGHT = 256  # dots per GS v 0 strip
GS_RASTER = b"\x1dv0\x00"  # GS v 0, normal density; then width in bytes and height in dots


@dataclass(frozen=True)
class PrinterProfile:
    """A printer model as far as printing cares: width, text columns, what the firmware can do."""

    name: str
    escpos_profile: str  # python-escpos capabilities profile
    width_dots: int
    columns: int  # Font A half-width columns per line
    native_qr: bool  # firmware renders GS ( k QR codes
    text_encoding: str = "gb18030"


PROFILES: dict[str, PrinterProfile] = {
    profile.name: profile
    for profile in (
        PrinterProfile("80mm", "TM-T20II", DOTS_80MM, 48, native_qr=True),
        PrinterProfile("58mm", "POS-5890", DOTS_58MM, 32, native_qr=False),
        PrinterProfile("tm-t88", "TM-T88V", DOTS_TM_T88, 42, native_qr=True),
    )
}


def profile_named(name: str) -> PrinterProfile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown printer profile {name!r}; choose one of: {known}") from None


def raster_job(image: QImage, profile: PrinterProfile, cut: bool = True) -> bytes:
    """``image`` (already ``profile.width_dots`` wide) as ESC/POS raster strips, then a cut."""
    if image.width() > profile.width_dots:
        raise ValueError(
            f"image is {image.width()} dots wide; the printer takes {profile.width_dots}"
        )
    # The same bytes as python-escpos' ``image()``, without its per-strip RGBA → RGB → L →
    # inverted → 1-bit conversions (three times the cost of the whole job, on the print worker).
    width_bytes = (image.width() + 7) // 8
    rows = to_pil(image, ink=True).tobytes()  # 1 bit a dot, dark = 1, rows padded to bytes
    job = bytearray(ESC_INIT)
    height = image.height()
    for top in range(0, height, STRIP_HEIGHT):
        lines = min(STRIP_HEIGHT, height - top)
        job += GS_RASTER + width_bytes.to_bytes(2, "little") + lines.to_bytes(2, "little")
        job += rows[top * width_bytes : (top + lines) * width_bytes]
    if cut:
        printer = Dummy(profile=profile.escpos_profile)
        printer.cut()
        job += printer.output
    return bytes(job)


def encode_line(line: str, encoding: str = "gb18030") -> bytes | None:
    """The line as the printer's Chinese firmware takes it, or None if its font cannot hold it."""
    for char in line:
        code = ord(char)
        if code > 0xFFFF or 0xE000 <= code <= 0xF8FF or 0xD800 <= code <= 0xDFFF:
            return None
    try:
        return line.encode(encoding)
    except UnicodeEncodeError:
        return None


class _TextModeWriter:
    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.printer = Dummy(profile=profile.escpos_profile)

    def width(self, text: str) -> int:
        """Columns on this printer: counted by the bytes it is sent, not by Unicode widths."""
        return encoded_width(text, self.profile.text_encoding)

    def width_at(self, size: int) -> Callable[[str], float]:
        """The measure at a ``GS !`` size: double width (0x1_) doubles every column."""
        factor = 2 if size & 0xF0 else 1
        return lambda text: self.width(text) * factor

    def wrap(self, text: str, columns: int) -> list[str]:
        return wrap(text, columns, self.width)

    def raw(self, data: bytes) -> None:
        self.printer._raw(data)

    def line(self, text: str, align: Align, size: int = 0, bold: bool = False) -> None:
        self.raw(ESC_ALIGN + bytes([{"left": 0, "center": 1, "right": 2}[align.value]]))
        self.raw(GS_SIZE + bytes([size]) + ESC_BOLD + bytes([1 if bold else 0]))
        encoded = encode_line(text, self.profile.text_encoding)
        if encoded is None:
            self._line_as_image(text, align, bold)
        else:
            self.raw(encoded + b"\n")
        self.raw(GS_SIZE + b"\x00" + ESC_BOLD + b"\x00")

    def _line_as_image(self, text: str, align: Align, bold: bool) -> None:
        image = render((Text(text, Style.BODY, align, bold),), self.profile.width_dots)
        self.raw(ESC_ALIGN + b"\x00")
        self.printer.image(to_pil(image), impl="bitImageRaster", fragment_height=STRIP_HEIGHT)

    def block(self, block: Block) -> None:
        cols = self.profile.columns
        if isinstance(block, Text):
            size = 0
            if block.style in (Style.TITLE, Style.HEADING, Style.CASE_NUMBER):
                # Double width and height when it fits, else double height only.
                size = largest_fitting(block.text, cols, (0x11, 0x01), lambda n: self.width_at(n))
            width = cols // 2 if size == 0x11 else cols
            for line in self.wrap(block.text, width):
                self.line(line, block.align, size, block.bold)
        elif isinstance(block, Field):
            self._field(block)
        elif isinstance(block, Rule):
            self.line(("-" if block.dashed else "=") * cols, Align.LEFT)
        elif isinstance(block, Gap):
            self.raw(b"\n")
        elif isinstance(block, QrCode):
            self.raw(ESC_ALIGN + b"\x01")
            if self.profile.native_qr:
                self.printer.qr(block.payload, size=6, native=True)
                self.raw(b"\n")
            else:
                # Drawn by us, not by python-escpos' qr(): that one calls text(), which
                # switches code pages (ESC t) behind the Chinese mode's back.
                image = render((block,), self.profile.width_dots)
                self.printer.image(
                    to_pil(image), impl="bitImageRaster", fragment_height=STRIP_HEIGHT
                )
            self.raw(ESC_ALIGN + b"\x00")

    def _field(self, block: Field) -> None:
        planned = field_lines(block, self.profile.columns, self.width, self.width)
        if planned.stacked:
            self.line(block.label, Align.LEFT)
            for line in planned.values:
                self.line(line, Align.LEFT, bold=block.bold)
            return
        indent = " " * int(planned.indent)
        for index, line in enumerate(planned.values):
            prefix = block.label if index == 0 else indent
            if block.bold:
                # Label plain, value bold: two writes on the same printed line.
                self.raw(ESC_ALIGN + b"\x00")
                encoded_prefix = encode_line(prefix, self.profile.text_encoding)
                encoded_value = encode_line(line, self.profile.text_encoding)
                if encoded_prefix is not None and encoded_value is not None:
                    self.raw(encoded_prefix + ESC_BOLD + b"\x01" + encoded_value)
                    self.raw(ESC_BOLD + b"\x00" + b"\n")
                    continue
            self.line(prefix + line, Align.LEFT)


def text_job(layout: Layout, profile: PrinterProfile, cut: bool = True) -> bytes:
    """``layout`` in the printer's own Chinese text mode (GB18030), images only where needed."""
    writer = _TextModeWriter(profile)
    writer.raw(ESC_INIT + FS_CHINESE_ON)
    for block in layout.blocks:
        writer.block(block)
    writer.raw(FS_CHINESE_OFF)
    if cut:
        writer.printer.cut()
    return bytes(writer.printer.output)
