"""A serial receipt printer on one end of a ``socat`` pty pair; the desk opens the other end.

The printer answers DLE EOT with its status bytes (or not at all when silent), and can stop
reading after some bytes, as a printer does when its buffer is full and it has stopped.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.printing.helpers import answer_status_queries, stop_process

ONLINE = {1: 0x12, 2: 0x12, 4: 0x12}


def need(command: str) -> str:
    """The command's path; skip without it, unless CI=true (then fail: CI must run it)."""
    path = shutil.which(command)
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{command} is required when CI=true")
        pytest.skip(f"{command} is not installed")
    return path


class FakeSerialPrinter:
    def __init__(self, device: Path, answers: dict[int, int] | None = None) -> None:
        self.answers = answers or ONLINE
        self.silent = False
        self.stop_reading_after: int | None = None
        self.received = bytearray()
        self.fd = os.open(device, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        pending = b""
        while not self._stop.is_set():
            if (
                self.stop_reading_after is not None
                and len(self.received) >= self.stop_reading_after
            ):
                self._stop.wait(0.05)  # the buffer is full: take nothing more
                continue
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 4096)
            except BlockingIOError:
                continue
            except OSError:
                return
            self.received += data
            pending = answer_status_queries(
                pending + data, self.answers, self.silent, lambda b: os.write(self.fd, b)
            )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self.fd)


@pytest.fixture
def serial_printer(tmp_path: Path) -> Iterator[tuple[str, FakeSerialPrinter]]:
    """(the desk's serial:// URI, the fake printer on the other end of the line)."""
    socat = need("socat")
    desk, printer_end = tmp_path / "ttyDESK", tmp_path / "ttyPRINTER"
    process = subprocess.Popen(
        [socat, f"pty,rawer,link={desk}", f"pty,rawer,link={printer_end}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        give_up = time.monotonic() + 10
        while not (desk.exists() and printer_end.exists()) and time.monotonic() < give_up:
            time.sleep(0.02)
        assert desk.exists() and printer_end.exists(), "socat did not create the pty pair"
        printer = FakeSerialPrinter(printer_end)
        try:
            yield f"serial://{desk}?baudrate=230400", printer
        finally:
            printer.close()
    finally:
        stop_process(process, timeout=5)
