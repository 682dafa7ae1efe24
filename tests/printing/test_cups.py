"""CUPS queues on a private cupsd, raw, in front of fake network printers: "printed" only when
CUPS says the job is completed; offline, silent, paused, rejecting and missing queues fail."""

from __future__ import annotations

import time

import pytest
from PySide6.QtGui import QGuiApplication

from dnw_desk.cli import main
from dnw_desk.printing.connection import (
    Deadline,
    PrinterError,
    PrinterState,
    check_status,
    send_job,
)
from dnw_desk.printing.discovery import cups_printers
from dnw_desk.printing.uri import parse_printer_uri

from .conftest import ONLINE, FakePrinter, HoldingPrinter
from .cups_server import CupsServer, cups, cups_server, free_port

__all__ = ["cups", "cups_server"]

JOB = b"\x1b@" + "受理回执 AH08-20261124-0007K\n".encode("gb18030") * 50
DEADLINE = 3.0
MARGIN = 4.0  # lp, lpstat and cancel are processes; the machine is shared


def _device(port: int) -> str:
    return f"socket://127.0.0.1:{port}"


def _fails(uri: str) -> tuple[PrinterError, float]:
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri(uri), JOB, deadline=DEADLINE)
    return caught.value, time.monotonic() - started


def test_online_queue_prints_byte_identical(
    cups: CupsServer, fake_printer: type[FakePrinter]
) -> None:
    printer = fake_printer(ONLINE)
    uri = cups.add_queue("online", _device(printer.port))
    after = send_job(parse_printer_uri(uri), JOB, deadline=10.0)
    assert after.state is PrinterState.ONLINE
    assert bytes(printer.received) == JOB  # CUPS reported it completed: it is all there


@pytest.mark.parametrize("printer_kind", ["offline", "silent"])
def test_printer_that_never_takes_the_job_fails_within_the_deadline(
    cups: CupsServer, holding_printer: HoldingPrinter, printer_kind: str
) -> None:
    port = free_port() if printer_kind == "offline" else holding_printer.port
    uri = cups.add_queue(printer_kind, _device(port))
    error, elapsed = _fails(uri)
    assert elapsed < DEADLINE + MARGIN
    assert printer_kind in str(error)
    # Cancelled in CUPS: a retry from the desk must not print the receipt twice.
    assert cups.run("lpstat", "-o", printer_kind).strip() == ""


def test_paused_queue_is_reported_and_refused(
    cups: CupsServer, fake_printer: type[FakePrinter]
) -> None:
    uri = cups.add_queue("paused", _device(fake_printer(ONLINE).port))
    cups.run("cupsdisable", "-r", "maintenance", "paused")
    status = check_status(parse_printer_uri(uri))
    assert status.state is PrinterState.PAUSED
    assert "maintenance" in status.message()
    error, elapsed = _fails(uri)
    assert error.status is not None and error.status.state is PrinterState.PAUSED
    assert elapsed < DEADLINE + MARGIN


def test_rejecting_queue_is_reported(cups: CupsServer, fake_printer: type[FakePrinter]) -> None:
    uri = cups.add_queue("rejecting", _device(fake_printer(ONLINE).port))
    cups.run("cupsreject", "-r", "out of order", "rejecting")
    assert check_status(parse_printer_uri(uri)).state is PrinterState.REJECTING
    error, _elapsed = _fails(uri)
    assert error.status is not None and error.status.state is PrinterState.REJECTING


def test_missing_queue_is_an_error_not_unknown(
    cups: CupsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_status(parse_printer_uri("cups://nosuch")).state is PrinterState.NOT_FOUND
    assert main(["print-test", "--printer", "cups://nosuch", "--status-only"]) == 1
    assert "not_found" in capsys.readouterr().out


def test_print_test_waits_for_the_queue_and_prints_the_receipt_too(
    gui_app: QGuiApplication,
    cups: CupsServer,
    fake_printer: type[FakePrinter],
    capsys: pytest.CaptureFixture[str],
) -> None:
    printer = fake_printer(ONLINE)
    uri = cups.add_queue("installer", _device(printer.port))
    assert main(["print-test", "--printer", uri, "--receipt", "--deadline", "15"]) == 0
    out = capsys.readouterr().out
    assert "test page printed" in out and "sample receipt printed" in out
    assert printer.received.count(b"\x1dV") == 2  # two cuts: the test page and the receipt


def test_discovery_lists_the_queues(cups: CupsServer, fake_printer: type[FakePrinter]) -> None:
    cups.add_queue("listed", _device(fake_printer(ONLINE).port))
    assert "cups://listed" in [p.uri for p in cups_printers(Deadline(5))]


def test_paused_without_a_reason_shows_no_lpstat_noise(
    cups: CupsServer, fake_printer: type[FakePrinter]
) -> None:
    uri = cups.add_queue("paused-quietly", _device(fake_printer(ONLINE).port))
    cups.run("cupsdisable", "paused-quietly")
    status = check_status(parse_printer_uri(uri))
    assert status.state is PrinterState.PAUSED and status.detail == ""


def test_job_held_by_the_queue_is_reported_and_cancelled(
    cups: CupsServer, fake_printer: type[FakePrinter]
) -> None:
    printer = fake_printer(ONLINE)
    uri = cups.add_queue("holding", _device(printer.port))
    cups.run("lpadmin", "-p", "holding", "-o", "job-hold-until-default=indefinite")
    error, elapsed = _fails(uri)
    assert error.status is not None and error.status.state is PrinterState.PAUSED
    assert "hold" in str(error) and elapsed < DEADLINE + MARGIN
    assert cups.run("lpstat", "-o", "holding").strip() == ""
    assert printer.received == b""
