"""The Windows spooler (``win32://PRINTER``): a raw job, followed until the spooler is done.

The spooler, like CUPS, takes any job at once; the job's status flags then say whether it
printed, and the printer's flags whether it is paused, offline, out of paper or its door open.
``Spooler`` is the small interface this module needs; ``Win32Spooler`` implements it with
pywin32 (only on Windows), and the tests use a fake with the same flags. Set ``SPOOLER`` to
replace it.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Protocol

from dnw_desk.i18n import _
from dnw_desk.printing.connection import (
    Deadline,
    PrinterError,
    PrinterState,
    PrinterStatus,
    deadline_error,
)

POLL_INTERVAL = 0.1

# Printer status flags (PRINTER_STATUS_*) and attributes, from the Windows SDK (winspool.h).
PRINTER_STATUS_PAUSED = 0x1
PRINTER_STATUS_ERROR = 0x2
PRINTER_STATUS_PAPER_JAM = 0x8
PRINTER_STATUS_PAPER_OUT = 0x10
PRINTER_STATUS_OFFLINE = 0x80
PRINTER_STATUS_NOT_AVAILABLE = 0x1000
PRINTER_STATUS_DOOR_OPEN = 0x400000
PRINTER_ATTRIBUTE_WORK_OFFLINE = 0x400
# Job status flags (JOB_STATUS_*).
JOB_STATUS_PAUSED = 0x1
JOB_STATUS_ERROR = 0x2
JOB_STATUS_DELETING = 0x4
JOB_STATUS_PRINTING = 0x10
JOB_STATUS_OFFLINE = 0x20
JOB_STATUS_PAPEROUT = 0x40
JOB_STATUS_PRINTED = 0x80
JOB_STATUS_DELETED = 0x100
JOB_STATUS_BLOCKED_DEVQ = 0x200
JOB_STATUS_USER_INTERVENTION = 0x400
JOB_STATUS_COMPLETE = 0x1000


class SpoolerPrinterMissing(Exception):
    """No printer of that name on this PC."""


class Spooler(Protocol):
    def printer_names(self) -> list[str]: ...

    def printer_flags(self, name: str) -> tuple[int, int]:
        """(status, attributes) of the printer; raises ``SpoolerPrinterMissing``."""
        ...

    def submit(self, name: str, data: bytes, title: str) -> int:
        """A RAW job; returns its job id."""
        ...

    def job_flags(self, name: str, job_id: int) -> int | None:
        """The job's status flags, or None once the spooler no longer has it (printed)."""
        ...

    def cancel(self, name: str, job_id: int) -> None: ...


SPOOLER: Spooler | None = None


def spooler() -> Spooler:
    if SPOOLER is not None:
        return SPOOLER
    return Win32Spooler()


def printer_status(status: int, attributes: int) -> PrinterStatus:
    if status & PRINTER_STATUS_PAUSED:
        return PrinterStatus(PrinterState.PAUSED)
    if status & PRINTER_STATUS_DOOR_OPEN:
        return PrinterStatus(PrinterState.COVER_OPEN)
    if status & PRINTER_STATUS_PAPER_OUT:
        return PrinterStatus(PrinterState.PAPER_OUT)
    if status & (PRINTER_STATUS_OFFLINE | PRINTER_STATUS_NOT_AVAILABLE) or (
        attributes & PRINTER_ATTRIBUTE_WORK_OFFLINE
    ):
        return PrinterStatus(PrinterState.OFFLINE)
    if status & (PRINTER_STATUS_ERROR | PRINTER_STATUS_PAPER_JAM):
        return PrinterStatus(PrinterState.UNREACHABLE, detail=_("The spooler reports an error."))
    return PrinterStatus(PrinterState.QUEUE_READY)


def job_problem(flags: int) -> PrinterStatus | None:
    """What keeps a job from printing, by its flags; None while nothing does."""
    if flags & (JOB_STATUS_DELETED | JOB_STATUS_DELETING):
        return PrinterStatus(PrinterState.UNREACHABLE, detail=_("The job was deleted."))
    if flags & JOB_STATUS_PAPEROUT:
        return PrinterStatus(PrinterState.PAPER_OUT)
    if flags & JOB_STATUS_OFFLINE:
        return PrinterStatus(PrinterState.OFFLINE)
    if flags & JOB_STATUS_PAUSED:
        return PrinterStatus(PrinterState.PAUSED)
    if flags & (JOB_STATUS_ERROR | JOB_STATUS_BLOCKED_DEVQ | JOB_STATUS_USER_INTERVENTION):
        return PrinterStatus(PrinterState.UNREACHABLE, detail=_("The spooler reports an error."))
    return None


class SpoolerConnection:
    def __init__(self, name: str, spooler_: Spooler | None = None) -> None:
        self.name = name
        self.spooler = spooler_ or spooler()
        self.data = bytearray()

    def write(self, data: bytes, deadline: Deadline) -> None:
        self.data += data

    def read_byte(self, deadline: float) -> int | None:
        return None

    def status(self, timeout: float, deadline: Deadline) -> PrinterStatus:
        try:
            return printer_status(*self.spooler.printer_flags(self.name))
        except SpoolerPrinterMissing:
            return PrinterStatus(
                PrinterState.NOT_FOUND,
                detail=_("Windows has no printer named {name}.").format(name=self.name),
            )

    def finish(self, deadline: Deadline) -> PrinterStatus | None:
        job_id = self.spooler.submit(self.name, bytes(self.data), "dnw-desk")
        try:
            return self._follow(job_id, deadline)
        except PrinterError:
            with contextlib.suppress(Exception):  # a retry must not print it twice
                self.spooler.cancel(self.name, job_id)
            raise

    def _follow(self, job_id: int, deadline: Deadline) -> PrinterStatus:
        while True:
            flags = self.spooler.job_flags(self.name, job_id)
            if flags is None or flags & (JOB_STATUS_PRINTED | JOB_STATUS_COMPLETE):
                return PrinterStatus(
                    PrinterState.ONLINE, detail=_("The spooler reports the job printed.")
                )
            problem = job_problem(flags)
            if problem is not None:
                raise PrinterError(problem.message(), problem)
            printer = self.status(0, deadline)
            if not printer.ready:
                raise PrinterError(printer.message(), printer)
            if deadline.remaining() <= POLL_INTERVAL:
                raise deadline_error(deadline, _("waiting for the Windows spooler"))
            time.sleep(POLL_INTERVAL)

    def close(self) -> None:
        self.data = bytearray()


class Win32Spooler:
    """The real spooler through pywin32. Not tried on Windows by the tests (see the README)."""

    def __init__(self) -> None:
        try:
            import win32print
        except ImportError:
            from dnw_desk.printing.errors import missing_piece

            raise missing_piece("pywin32", _("Windows printers")) from None
        self.win32print: Any = win32print

    def printer_names(self) -> list[str]:
        flags = self.win32print.PRINTER_ENUM_LOCAL | self.win32print.PRINTER_ENUM_CONNECTIONS
        return [str(info["pPrinterName"]) for info in self.win32print.EnumPrinters(flags, None, 4)]

    def _open(self, name: str) -> Any:
        try:
            return self.win32print.OpenPrinter(name)
        except Exception as exc:  # pywintypes.error: ERROR_INVALID_PRINTER_NAME
            raise SpoolerPrinterMissing(name) from exc

    def printer_flags(self, name: str) -> tuple[int, int]:
        handle = self._open(name)
        try:
            info = self.win32print.GetPrinter(handle, 2)
            return int(info["Status"]), int(info["Attributes"])
        finally:
            self.win32print.ClosePrinter(handle)

    def submit(self, name: str, data: bytes, title: str) -> int:
        handle = self._open(name)
        try:
            job_id = int(self.win32print.StartDocPrinter(handle, 1, (title, None, "RAW")))
            try:
                self.win32print.StartPagePrinter(handle)
                self.win32print.WritePrinter(handle, data)
                self.win32print.EndPagePrinter(handle)
            finally:
                self.win32print.EndDocPrinter(handle)
            return job_id
        finally:
            self.win32print.ClosePrinter(handle)

    def job_flags(self, name: str, job_id: int) -> int | None:
        handle = self._open(name)
        try:
            try:
                job = self.win32print.GetJob(handle, job_id, 1)
            except Exception:  # ERROR_INVALID_PARAMETER: the job has left the queue
                return None
            return int(job["Status"])
        finally:
            self.win32print.ClosePrinter(handle)

    def cancel(self, name: str, job_id: int) -> None:
        handle = self._open(name)
        try:
            self.win32print.SetJob(handle, job_id, 0, None, self.win32print.JOB_CONTROL_DELETE)
        finally:
            self.win32print.ClosePrinter(handle)
