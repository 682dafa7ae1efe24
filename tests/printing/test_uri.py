from __future__ import annotations

import re

import pytest

from dnw_desk.printing.uri import PrinterUriError, Transport, parse_printer_uri


def test_good_uris() -> None:
    tcp = parse_printer_uri("tcp://192.168.1.50")
    assert (tcp.transport, tcp.host, tcp.port) == (Transport.TCP, "192.168.1.50", 9100)
    assert parse_printer_uri("tcp://printer.local:9101").port == 9101
    usb = parse_printer_uri("usb://0416:5011")
    assert (usb.vendor_id, usb.product_id) == (0x0416, 0x5011)
    serial = parse_printer_uri("serial:///dev/ttyUSB0?baudrate=115200")
    assert (serial.path, serial.baudrate) == ("/dev/ttyUSB0", 115200)
    assert parse_printer_uri("file:///dev/usb/lp0").path == "/dev/usb/lp0"
    assert parse_printer_uri("cups://receipt").name == "receipt"
    assert parse_printer_uri("preview").transport is Transport.PREVIEW
    assert parse_printer_uri("win32://POS 80", platform="win32").name == "POS 80"


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("", "No printer address"),
        ("192.168.1.50", "not a printer address"),
        ("lpt://1", "Unknown printer connection"),
        ("tcp://", "missing host"),
        ("tcp://host:99999", "port must be a number"),
        ("usb://0416", "usb://VID:PID"),
        ("usb://zz:11", "usb://VID:PID"),
        ("serial:///dev/ttyUSB0?baudrate=1234", "baudrate must be"),
        ("serial:///dev/ttyUSB0?parity=N", "unknown option"),
        ("file://", "missing file path"),
        ("cups://", "cups://QUEUE"),
    ],
)
@pytest.mark.usefixtures("english")
def test_bad_uris_say_why(uri: str, fragment: str) -> None:
    with pytest.raises(PrinterUriError, match=fragment):
        parse_printer_uri(uri, platform="linux")


@pytest.mark.usefixtures("english")
def test_win32_elsewhere_is_a_clear_error() -> None:
    with pytest.raises(PrinterUriError, match="only on Windows"):
        parse_printer_uri("win32://POS-80", platform="linux")


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "tcp//bad",
        "lpt://1",
        "tcp://",
        "tcp://host:99999",
        "tcp://host/x",
        "usb://0416",
        "serial://",
        "serial:///dev/ttyUSB0?baudrate=1234",
        "serial:///dev/ttyUSB0?parity=N",
        "file://host/x",
        "file://",
        "cups://",
        "win32://POS-80",
    ],
)
def test_bad_uris_speak_the_desks_language(uri: str) -> None:
    """The wizard and the settings dialog show these messages to a Chinese-speaking admin."""
    with pytest.raises(PrinterUriError) as caught:
        parse_printer_uri(uri, platform="linux")
    assert re.search(r"[\u4e00-\u9fff]", str(caught.value)), str(caught.value)
