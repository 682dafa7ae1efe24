"""Printer addresses as URIs, parsed strictly with a clear message for each mistake.

``tcp://HOST[:PORT]`` (port 9100 by default), ``usb://VID:PID`` (hex), ``serial:///dev/ttyUSB0?
baudrate=115200``, ``file:///dev/usb/lp0`` (or any file), ``cups://QUEUE``, ``win32://PRINTER
NAME`` (Windows only) and ``preview`` (no printer: show it and save PDF/PNG).
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from dnw_desk.i18n import _


class PrinterUriError(ValueError):
    """A printer address that cannot be used; the message says why and what would work."""


class Transport(enum.StrEnum):
    TCP = "tcp"
    USB = "usb"
    SERIAL = "serial"
    FILE = "file"
    CUPS = "cups"
    WIN32 = "win32"
    PREVIEW = "preview"


DEFAULT_TCP_PORT = 9100
DEFAULT_BAUDRATE = 9600
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)


@dataclass(frozen=True)
class PrinterAddress:
    transport: Transport
    host: str = ""
    port: int = DEFAULT_TCP_PORT
    vendor_id: int = 0
    product_id: int = 0
    path: str = ""  # serial device, file path
    baudrate: int = DEFAULT_BAUDRATE
    name: str = ""  # CUPS queue, Windows printer name
    uri: str = ""

    @property
    def can_read_status(self) -> bool:
        """Whether DLE EOT answers can come back over this connection."""
        return self.transport in (Transport.TCP, Transport.USB, Transport.SERIAL)


EXAMPLES = (
    "tcp://192.168.1.50:9100, usb://0416:5011, serial:///dev/ttyUSB0?baudrate=115200, "
    "file:///dev/usb/lp0, cups://QUEUE, win32://PRINTER NAME, preview"
)


def parse_printer_uri(uri: str, platform: str = sys.platform) -> PrinterAddress:
    text = uri.strip()
    if not text:
        raise PrinterUriError(
            _("No printer address given; examples: {examples}").format(examples=EXAMPLES)
        )
    if text == "preview":
        return PrinterAddress(Transport.PREVIEW, uri=text)
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise PrinterUriError(
            _("{uri!r} is not a printer address; examples: {examples}").format(
                uri=text, examples=EXAMPLES
            )
        )
    try:
        transport = Transport(scheme.lower())
    except ValueError:
        raise PrinterUriError(
            _(
                "Unknown printer connection {scheme!r} in {uri!r}; use one of "
                "tcp, usb, serial, file, cups, win32 or preview"
            ).format(scheme=scheme, uri=text)
        ) from None
    parser = _PARSERS.get(transport)
    if parser is None:
        raise PrinterUriError(_("{uri!r}: 'preview' takes no address").format(uri=text))
    return parser(text, rest, platform)


def _tcp(uri: str, rest: str, platform: str) -> PrinterAddress:
    parts = urlsplit(uri)
    if not parts.hostname:
        raise PrinterUriError(
            _("{uri!r}: missing host, e.g. tcp://192.168.1.50:9100").format(uri=uri)
        )
    try:
        port = parts.port or DEFAULT_TCP_PORT
    except ValueError:
        raise PrinterUriError(
            _("{uri!r}: the port must be a number from 1 to 65535").format(uri=uri)
        ) from None
    if parts.path not in ("", "/") or parts.query:
        raise PrinterUriError(
            _("{uri!r}: a network printer address is only tcp://HOST:PORT").format(uri=uri)
        )
    return PrinterAddress(Transport.TCP, host=parts.hostname, port=port, uri=uri)


def _usb(uri: str, rest: str, platform: str) -> PrinterAddress:
    vid, sep, pid = rest.strip("/").partition(":")
    try:
        if not sep:
            raise ValueError
        vendor, product = int(vid, 16), int(pid, 16)
        if not (0 <= vendor <= 0xFFFF and 0 <= product <= 0xFFFF):
            raise ValueError
    except ValueError:
        raise PrinterUriError(
            _(
                "{uri!r}: a USB printer is usb://VID:PID in hexadecimal, e.g. usb://0416:5011 "
                "(see lsusb or the Device Manager)"
            ).format(uri=uri)
        ) from None
    return PrinterAddress(Transport.USB, vendor_id=vendor, product_id=product, uri=uri)


def _serial(uri: str, rest: str, platform: str) -> PrinterAddress:
    parts = urlsplit(uri)
    device = unquote(parts.netloc + parts.path)
    if not device:
        raise PrinterUriError(
            _("{uri!r}: missing device, e.g. serial:///dev/ttyUSB0 or serial://COM3").format(
                uri=uri
            )
        )
    query = parse_qs(parts.query)
    unknown = set(query) - {"baudrate"}
    if unknown:
        raise PrinterUriError(
            _("{uri!r}: unknown option(s) {options}").format(
                uri=uri, options=", ".join(sorted(unknown))
            )
        )
    baudrate = DEFAULT_BAUDRATE
    if "baudrate" in query:
        try:
            baudrate = int(query["baudrate"][-1])
        except ValueError:
            baudrate = -1
        if baudrate not in BAUDRATES:
            raise PrinterUriError(
                _("{uri!r}: baudrate must be one of {rates}").format(
                    uri=uri, rates=", ".join(map(str, BAUDRATES))
                )
            )
    return PrinterAddress(Transport.SERIAL, path=device, baudrate=baudrate, uri=uri)


def _file(uri: str, rest: str, platform: str) -> PrinterAddress:
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost"):
        raise PrinterUriError(
            _("{uri!r}: use file:///absolute/path (three slashes)").format(uri=uri)
        )
    path = unquote(parts.path)
    if not path or path == "/":
        raise PrinterUriError(
            _("{uri!r}: missing file path, e.g. file:///dev/usb/lp0").format(uri=uri)
        )
    if platform == "win32" and len(path) > 2 and path[0] == "/" and path[2] == ":":
        path = path[1:]  # file:///C:/out.bin
    return PrinterAddress(Transport.FILE, path=path, uri=uri)


def _cups(uri: str, rest: str, platform: str) -> PrinterAddress:
    name = unquote(rest).strip("/")
    if not name or "/" in name:
        raise PrinterUriError(
            _("{uri!r}: a CUPS printer is cups://QUEUE, e.g. cups://receipt").format(uri=uri)
        )
    return PrinterAddress(Transport.CUPS, name=name, uri=uri)


def _win32(uri: str, rest: str, platform: str) -> PrinterAddress:
    if platform != "win32":
        raise PrinterUriError(_("{uri!r}: win32:// printers exist only on Windows").format(uri=uri))
    name = unquote(rest).strip("/")
    if not name:
        raise PrinterUriError(
            _("{uri!r}: missing printer name, e.g. win32://POS-80").format(uri=uri)
        )
    return PrinterAddress(Transport.WIN32, name=name, uri=uri)


_PARSERS = {
    Transport.TCP: _tcp,
    Transport.USB: _usb,
    Transport.SERIAL: _serial,
    Transport.FILE: _file,
    Transport.CUPS: _cups,
    Transport.WIN32: _win32,
}
