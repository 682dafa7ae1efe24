"""Serial printers over a real pty pair (socat), with a fake printer on the far end."""

from __future__ import annotations

import sys
import time

import pytest

from dnw_desk.printing.connection import (
    PrinterError,
    PrinterState,
    check_status,
    send_job,
    wire_seconds,
)
from dnw_desk.printing.uri import parse_printer_uri

from .conftest import PAPER_OUT
from .fake_serial import FakeSerialPrinter, serial_printer

__all__ = ["serial_printer"]

JOB = b"\x1b@" + b"receipt line\n" * 5000  # 65 KB: more than the pty and socat buffer
DEADLINE = 3.0
MARGIN = 3.0


def test_prints_byte_identical(serial_printer: tuple[str, FakeSerialPrinter]) -> None:
    uri, printer = serial_printer
    after = send_job(parse_printer_uri(uri), JOB, deadline=DEADLINE)
    assert after.state is PrinterState.ONLINE
    assert JOB in printer.received


def test_status_answers_return_as_soon_as_they_arrive(
    serial_printer: tuple[str, FakeSerialPrinter],
) -> None:
    uri, _printer = serial_printer
    address = parse_printer_uri(uri)
    started = time.monotonic()
    for _ in range(5):
        assert check_status(address).state is PrinterState.ONLINE
    # Three answers per check: at 0.2 s each (python-escpos' 16-byte read) this took 3 s.
    assert time.monotonic() - started < 2.0


def test_printer_that_stops_reading_cannot_hang_the_job(
    serial_printer: tuple[str, FakeSerialPrinter],
) -> None:
    uri, printer = serial_printer
    printer.stop_reading_after = 2048
    address = parse_printer_uri(uri)
    started = time.monotonic()
    with pytest.raises(PrinterError):
        send_job(address, JOB, deadline=DEADLINE)
    # The deadline includes the time the bytes take at the line's baud rate.
    assert time.monotonic() - started < DEADLINE + wire_seconds(address, len(JOB)) + MARGIN


def test_silent_and_paper_out(serial_printer: tuple[str, FakeSerialPrinter]) -> None:
    uri, printer = serial_printer
    printer.silent = True
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri(uri), JOB, deadline=DEADLINE)
    assert caught.value.status is not None
    assert caught.value.status.state is PrinterState.UNREACHABLE
    printer.silent, printer.answers = False, PAPER_OUT
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri(uri), JOB, deadline=DEADLINE)
    assert caught.value.status is not None
    assert caught.value.status.state is PrinterState.PAPER_OUT
    assert JOB not in printer.received


def test_missing_port_is_not_found(tmp_path: object) -> None:
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri("serial:///dev/ttyDNWNONE"), JOB, deadline=DEADLINE)
    assert caught.value.status is not None
    assert caught.value.status.state is PrinterState.NOT_FOUND


def test_without_pyserial_the_message_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "serial", None)
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri("serial:///dev/ttyS0"), JOB, deadline=DEADLINE)
    assert "pyserial" in str(caught.value)


def test_slow_lines_get_the_time_their_bytes_take() -> None:
    slow = parse_printer_uri("serial:///dev/ttyUSB0?baudrate=9600")
    fast = parse_printer_uri("serial:///dev/ttyUSB0?baudrate=115200")
    receipt = 60_000  # bytes: a raster receipt
    assert wire_seconds(slow, receipt) == pytest.approx(62.5)
    assert wire_seconds(fast, receipt) < 6
    assert wire_seconds(parse_printer_uri("tcp://127.0.0.1"), receipt) == 0
