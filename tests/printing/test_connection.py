"""Status checks and sending against a fake network printer on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest

from dnw_desk.printing.connection import (
    Deadline,
    PrinterError,
    PrinterState,
    check_status,
    send_job,
)
from dnw_desk.printing.tcp import TcpConnection
from dnw_desk.printing.uri import parse_printer_uri

from .conftest import COVER_OPEN, ONLINE, PAPER_OUT, FakePrinter


def test_online(fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(ONLINE)
    assert check_status(parse_printer_uri(printer.uri)).state is PrinterState.ONLINE


def test_paper_out(fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(PAPER_OUT)
    status = check_status(parse_printer_uri(printer.uri))
    assert status.state is PrinterState.PAPER_OUT
    assert "paper" in status.message().lower() or "纸" in status.message()


def test_cover_open(fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(COVER_OPEN)
    assert check_status(parse_printer_uri(printer.uri)).state is PrinterState.COVER_OPEN


def test_silent_printer_is_unreachable_within_two_seconds(fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(silent=True)
    started = time.monotonic()
    status = check_status(parse_printer_uri(printer.uri))
    elapsed = time.monotonic() - started
    assert status.state is PrinterState.UNREACHABLE
    assert 1.5 <= elapsed < 2.8


def test_nobody_listening_is_unreachable_fast() -> None:
    started = time.monotonic()
    status = check_status(parse_printer_uri("tcp://127.0.0.1:9"))
    assert status.state is PrinterState.UNREACHABLE
    assert time.monotonic() - started < 2.5


def test_send_job_reaches_an_online_printer(fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(ONLINE)
    after = send_job(parse_printer_uri(printer.uri), b"\x1b@hello\n")
    assert after.state is PrinterState.ONLINE
    deadline = time.monotonic() + 2
    while b"hello" not in printer.received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert b"\x1b@hello\n" in printer.received


def test_send_job_refuses_when_out_of_paper(fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(PAPER_OUT)
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri(printer.uri), b"\x1b@hello\n")
    assert caught.value.status is not None
    assert caught.value.status.state is PrinterState.PAPER_OUT
    time.sleep(0.1)
    assert b"hello" not in printer.received


class _RecordingSocket:
    """The connection's socket, noting how the job was handed to the kernel."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.calls: list[tuple[str, int]] = []

    def send(self, data: bytes) -> int:
        self.calls.append(("send", len(data)))
        return self.sock.send(data)

    def sendall(self, data: bytes) -> None:
        self.calls.append(("sendall", len(data)))
        self.sock.sendall(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.sock, name)


def test_network_printer_sends_small_packets_at_once(fake_printer: type[FakePrinter]) -> None:
    # With Nagle's algorithm on, a status query or a job's last partial packet waits for the
    # printer's delayed acknowledgement (40 ms on Linux) before it leaves.
    printer = fake_printer(ONLINE)
    connection = TcpConnection("127.0.0.1", printer.port, 2.0)
    try:
        assert connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        connection.close()


def test_network_printer_gets_the_job_in_one_send(fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(ONLINE)
    connection = TcpConnection("127.0.0.1", printer.port, 2.0)
    recording = _RecordingSocket(connection.sock)
    connection.sock = recording  # type: ignore[assignment]
    job = b"\x1b@" + bytes(100_000) + b"\n"
    try:
        connection.write(job, Deadline(5.0))
    finally:
        connection.close()
    assert recording.calls == [("sendall", len(job))]
    deadline = time.monotonic() + 5
    while len(printer.received) < len(job) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bytes(printer.received) == job
