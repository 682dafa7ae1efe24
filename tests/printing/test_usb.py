"""USB printers through python-escpos' real ``Usb`` code path, on a fake pyusb backend."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import pytest
from PySide6.QtGui import QGuiApplication

from dnw_desk.cli import main
from dnw_desk.printing import usb as usb_transport
from dnw_desk.printing.connection import PrinterError, PrinterState, check_status, send_job
from dnw_desk.printing.discovery import usb_printers
from dnw_desk.printing.uri import Transport, parse_printer_uri

from .conftest import PAPER_OUT
from .fake_usb import FakeUsbBackend, FakeUsbPrinter

JOB = b"\x1b@" + b"receipt line\n" * 2000  # 26 KB: several bulk transfers
DEADLINE = 3.0
MARGIN = 3.0  # generous: the machine is shared


@pytest.fixture
def plug(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeUsbPrinter]:
    """Plug a fake printer into a fake USB bus that the desk's USB transport uses."""
    backend = FakeUsbBackend()
    monkeypatch.setattr(usb_transport, "BACKEND", backend)

    def plug_in(**kwargs: object) -> FakeUsbPrinter:
        printer = FakeUsbPrinter(**kwargs)  # type: ignore[arg-type]
        backend.printers.append(printer)
        return printer

    return plug_in


def _send(uri: str) -> tuple[PrinterError, float]:
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri(uri), JOB, deadline=DEADLINE)
    return caught.value, time.monotonic() - started


def test_prints_on_the_printers_own_endpoints(plug: Callable[..., FakeUsbPrinter]) -> None:
    printer = plug()
    after = send_job(parse_printer_uri(printer.uri), JOB, deadline=DEADLINE)
    assert after.state is PrinterState.ONLINE
    assert JOB in printer.received


def test_no_device_is_a_clear_error_not_a_traceback(
    plug: Callable[..., FakeUsbPrinter],
) -> None:
    error, _elapsed = _send("usb://0416:5011")
    assert error.status is not None and error.status.state is PrinterState.NOT_FOUND
    assert "usb://0416:5011" in str(error)
    assert check_status(parse_printer_uri("usb://0416:5011")).state is PrinterState.NOT_FOUND


def test_print_test_without_the_device_exits_1_with_a_message(
    gui_app: QGuiApplication,
    plug: Callable[..., FakeUsbPrinter],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["print-test", "--printer", "usb://0416:5011"]) == 1
    output = capsys.readouterr()
    assert "Traceback" not in output.out + output.err
    assert "not_found" in output.out


def test_permission_denied_says_so(plug: Callable[..., FakeUsbPrinter]) -> None:
    printer = plug(denied=True)
    error, _elapsed = _send(printer.uri)
    assert "permission" in str(error).lower() or "权限" in str(error)


def test_unplugged_mid_job_fails_within_the_deadline(plug: Callable[..., FakeUsbPrinter]) -> None:
    printer = plug(unplugs_after=8192)
    error, elapsed = _send(printer.uri)
    assert "unplugged" in str(error) or "拔出" in str(error)
    assert elapsed < DEADLINE + MARGIN


def test_a_printer_that_stops_taking_data_fails_at_the_deadline(
    plug: Callable[..., FakeUsbPrinter],
) -> None:
    printer = plug(stalls_after=4096)
    error, elapsed = _send(printer.uri)
    assert f"{DEADLINE:g}" in str(error)
    assert elapsed < DEADLINE + MARGIN


def test_silent_and_paper_out(plug: Callable[..., FakeUsbPrinter]) -> None:
    silent = plug(product_id=0x0001, silent=True)
    error, elapsed = _send(silent.uri)
    assert error.status is not None and error.status.state is PrinterState.UNREACHABLE
    assert elapsed < DEADLINE + MARGIN
    empty = plug(product_id=0x0002, answers=PAPER_OUT)
    error, _elapsed = _send(empty.uri)
    assert error.status is not None and error.status.state is PrinterState.PAPER_OUT
    assert JOB not in empty.received


def test_status_answers_come_back_at_once(plug: Callable[..., FakeUsbPrinter]) -> None:
    printer = plug()
    started = time.monotonic()
    assert check_status(parse_printer_uri(printer.uri)).state is PrinterState.ONLINE
    assert time.monotonic() - started < 1.5  # no answer waits for the read timeout


def test_without_pyusb_the_message_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "usb.core", None)
    error, _elapsed = _send("usb://0416:5011")
    assert "pyusb" in str(error)


def test_discovery_lists_printer_class_devices(plug: Callable[..., FakeUsbPrinter]) -> None:
    plug(vendor_id=0x0FE6, product_id=0x811E)
    found = usb_printers()
    assert [(p.transport, p.uri) for p in found] == [(Transport.USB, "usb://0fe6:811e")]
