"""The Windows spooler transport against a fake spooler with the real status flags.

Not tried on Windows itself: ``Win32Spooler`` (pywin32) is only imported there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from dnw_desk.printing import spooler as spooler_module
from dnw_desk.printing.connection import PrinterError, PrinterState, check_status, send_job
from dnw_desk.printing.discovery import discover_printers
from dnw_desk.printing.spooler import (
    JOB_STATUS_OFFLINE,
    JOB_STATUS_PAPEROUT,
    JOB_STATUS_PRINTING,
    PRINTER_ATTRIBUTE_WORK_OFFLINE,
    PRINTER_STATUS_PAUSED,
    SpoolerPrinterMissing,
)
from dnw_desk.printing.uri import Transport, parse_printer_uri

DEADLINE = 2.0
MARGIN = 3.0


@dataclass
class FakeSpooler:
    printers: dict[str, tuple[int, int]] = field(default_factory=lambda: {"POS-80": (0, 0)})
    job_outcome: list[int | None] = field(default_factory=lambda: [JOB_STATUS_PRINTING, None])
    jobs: dict[int, bytes] = field(default_factory=dict)
    cancelled: list[int] = field(default_factory=list)
    polls: int = 0

    def printer_names(self) -> list[str]:
        return list(self.printers)

    def printer_flags(self, name: str) -> tuple[int, int]:
        if name not in self.printers:
            raise SpoolerPrinterMissing(name)
        return self.printers[name]

    def submit(self, name: str, data: bytes, title: str) -> int:
        job_id = len(self.jobs) + 1
        self.jobs[job_id] = data
        return job_id

    def job_flags(self, name: str, job_id: int) -> int | None:
        # The outcome's states one poll after another; the last one stays.
        state = self.job_outcome[min(self.polls, len(self.job_outcome) - 1)]
        self.polls += 1
        return state

    def cancel(self, name: str, job_id: int) -> None:
        self.cancelled.append(job_id)


@pytest.fixture
def spooler(monkeypatch: pytest.MonkeyPatch) -> FakeSpooler:
    fake = FakeSpooler()
    monkeypatch.setattr(spooler_module, "SPOOLER", fake)
    return fake


ADDRESS = parse_printer_uri("win32://POS-80", platform="win32")


def _fails() -> tuple[PrinterError, float]:
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send_job(ADDRESS, b"\x1b@hello\n", deadline=DEADLINE)
    return caught.value, time.monotonic() - started


def test_printed_only_once_the_spooler_says_so(spooler: FakeSpooler) -> None:
    after = send_job(ADDRESS, b"\x1b@hello\n", deadline=DEADLINE)
    assert after.state is PrinterState.ONLINE
    assert spooler.jobs == {1: b"\x1b@hello\n"}
    assert spooler.polls == 2


@pytest.mark.parametrize(
    ("flags", "state"),
    [(JOB_STATUS_OFFLINE, PrinterState.OFFLINE), (JOB_STATUS_PAPEROUT, PrinterState.PAPER_OUT)],
)
def test_job_held_by_the_printer_fails_and_is_cancelled(
    spooler: FakeSpooler, flags: int, state: PrinterState
) -> None:
    spooler.job_outcome = [JOB_STATUS_PRINTING, flags]
    error, _elapsed = _fails()
    assert error.status is not None and error.status.state is state
    assert spooler.cancelled == [1]


def test_job_that_never_finishes_fails_at_the_deadline(spooler: FakeSpooler) -> None:
    spooler.job_outcome = [JOB_STATUS_PRINTING]
    error, elapsed = _fails()
    assert f"{DEADLINE:g}" in str(error)
    assert elapsed < DEADLINE + MARGIN
    assert spooler.cancelled == [1]


def test_paused_offline_and_missing_printers(spooler: FakeSpooler) -> None:
    spooler.printers["POS-80"] = (PRINTER_STATUS_PAUSED, 0)
    assert check_status(ADDRESS).state is PrinterState.PAUSED
    _fails()
    assert spooler.jobs == {}
    spooler.printers["POS-80"] = (0, PRINTER_ATTRIBUTE_WORK_OFFLINE)
    assert check_status(ADDRESS).state is PrinterState.OFFLINE
    del spooler.printers["POS-80"]
    assert check_status(ADDRESS).state is PrinterState.NOT_FOUND


def test_without_pywin32_the_message_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "win32print", None)
    error, _elapsed = _fails()
    assert "pywin32" in str(error)


def test_discovery_lists_windows_printers(spooler: FakeSpooler) -> None:
    found = discover_printers(platform="win32")
    assert [p.uri for p in found[Transport.WIN32]] == ["win32://POS-80"]
