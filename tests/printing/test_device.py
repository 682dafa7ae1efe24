"""``file://`` printers: FIFOs with and without a reader stand in for device nodes."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnw_desk.printing.connection import PrinterError, PrinterState, send_job
from dnw_desk.printing.uri import parse_printer_uri

JOB = b"\x1b@" + b"receipt line\n" * 20000  # 260 KB: more than a pipe holds
DEADLINE = 3.0
MARGIN = 3.0


class FifoReader:
    """Reads the FIFO like a printer; ``limit`` bytes, then stops reading (switched off)."""

    def __init__(self, path: Path, limit: int | None = None) -> None:
        self.received = bytearray()
        self.limit = limit
        self.stop = threading.Event()
        self.opened = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self.thread.start()
        assert self.opened.wait(5)

    def _read(self, path: Path) -> None:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.opened.set()
        try:
            while not self.stop.is_set():
                if self.limit is not None and len(self.received) >= self.limit:
                    self.stop.wait(0.05)
                    continue
                try:
                    data = os.read(fd, 1024)
                except BlockingIOError:
                    data = None
                if data:
                    self.received += data
                else:
                    self.stop.wait(0.01)
        finally:
            os.close(fd)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "lp0"
    os.mkfifo(path)
    yield path


def test_fifo_with_a_reader_gets_the_job(fifo: Path) -> None:
    reader = FifoReader(fifo)
    try:
        assert send_job(parse_printer_uri(f"file://{fifo}"), JOB, deadline=DEADLINE).state is (
            PrinterState.UNKNOWN
        )
        give_up = time.monotonic() + 5
        while len(reader.received) < len(JOB) and time.monotonic() < give_up:
            time.sleep(0.01)
        assert bytes(reader.received) == JOB
    finally:
        reader.stop.set()


def test_fifo_without_a_reader_fails_at_once(fifo: Path) -> None:
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri(f"file://{fifo}"), JOB, deadline=DEADLINE)
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert caught.value.status is not None
    assert caught.value.status.state is PrinterState.NOT_FOUND


def test_fifo_whose_reader_stops_fails_at_the_deadline(fifo: Path) -> None:
    reader = FifoReader(fifo, limit=2048)
    try:
        started = time.monotonic()
        with pytest.raises(PrinterError) as caught:
            send_job(parse_printer_uri(f"file://{fifo}"), JOB, deadline=DEADLINE)
        assert time.monotonic() - started < DEADLINE + MARGIN
        assert f"{DEADLINE:g}" in str(caught.value)
    finally:
        reader.stop.set()


def test_missing_device_node_is_not_created(tmp_path: Path) -> None:
    node = "/dev/usb/lp-dnw-test-missing"
    with pytest.raises(PrinterError) as caught:
        send_job(parse_printer_uri(f"file://{node}"), JOB, deadline=DEADLINE)
    assert caught.value.status is not None
    assert caught.value.status.state is PrinterState.NOT_FOUND
    assert not os.path.exists(node)


def test_plain_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    send_job(parse_printer_uri(f"file://{target}"), JOB, deadline=DEADLINE)
    assert target.read_bytes() == JOB
