"""Talking to the printer: one deadline per job, the DLE EOT status check, clear errors.

python-escpos' network printer waits 60 s by default, its serial printer drains without a limit
on close and its USB printer connects lazily; a counter clerk can wait for none of that. Every
job here runs against one deadline (connect, status, write, finish, close): a transport that
cannot finish in time raises ``PrinterError`` with the reason, and the print queue keeps the job
for *retry*. The status check (DLE EOT 1/2/4) has its own 2-second limit where the connection can
read; CUPS and the Windows spooler report their queue's state instead and are followed until the
job is done. Jobs are already bytes (see ``escpos_out``), so a connection only writes and reads.

The transports live in their own modules (``tcp``, ``device``, ``serial_port``, ``usb``,
``cups``, ``spooler``); this one holds what they share.
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from typing import Protocol, cast

from dnw_desk.i18n import _
from dnw_desk.printing.uri import PrinterAddress, Transport

log = logging.getLogger(__name__)

STATUS_TIMEOUT = 2.0
CONNECT_TIMEOUT = 2.0
# Everything one job may take, whatever the transport. A long receipt at 9600 baud takes a few
# seconds, and CUPS needs a moment to hand the job on and report it done.
JOB_DEADLINE = 20.0

DLE_EOT = b"\x10\x04"


class PrinterState(enum.StrEnum):
    ONLINE = "online"
    QUEUE_READY = "queue_ready"  # a CUPS queue or Windows printer that takes jobs
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    UNREACHABLE = "unreachable"
    PAUSED = "paused"  # a CUPS queue or Windows printer stopped by someone
    REJECTING = "rejecting"  # a CUPS queue not accepting jobs
    NOT_FOUND = "not_found"  # no such queue, printer or device
    UNKNOWN = "unknown"  # the connection cannot read back (a file or device node)


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    paper_low: bool = False
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state in (PrinterState.ONLINE, PrinterState.QUEUE_READY, PrinterState.UNKNOWN)

    def message(self) -> str:
        if self.state is PrinterState.NOT_FOUND and self.detail:
            return self.detail  # names what is missing where; "No such printer." would repeat it
        text = {
            PrinterState.ONLINE: _("The printer is ready."),
            PrinterState.QUEUE_READY: _("The print queue is ready."),
            PrinterState.OFFLINE: _("The printer is offline."),
            PrinterState.PAPER_OUT: _("The printer is out of paper."),
            PrinterState.COVER_OPEN: _("The printer cover is open."),
            PrinterState.UNREACHABLE: _("The printer does not answer."),
            PrinterState.PAUSED: _("The print queue is paused."),
            PrinterState.REJECTING: _("The print queue is not accepting jobs."),
            PrinterState.NOT_FOUND: _("No such printer."),
            PrinterState.UNKNOWN: _("This connection cannot report the printer's status."),
        }[self.state]
        if self.paper_low and self.state is PrinterState.ONLINE:
            text += " " + _("Paper is running low.")
        return f"{text} {self.detail}".strip()


class PrinterError(Exception):
    """Printing failed; ``status`` says what the printer reported, the message is for people."""

    def __init__(self, message: str, status: PrinterStatus | None = None) -> None:
        super().__init__(message)
        self.status = status


class Deadline:
    """A point in ``time.monotonic()`` time that every step of one job works towards."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def check(self, what: str) -> None:
        """Raise the job-over-time error if the deadline has passed."""
        if self.expired:
            raise deadline_error(self, what)


def deadline_error(deadline: Deadline, what: str) -> PrinterError:
    return PrinterError(
        _("The printer did not finish within {seconds:g} s ({what}).").format(
            seconds=deadline.seconds, what=what
        ),
        PrinterStatus(PrinterState.UNREACHABLE),
    )


class Connection(Protocol):
    def write(self, data: bytes, deadline: Deadline) -> None:
        """All of ``data``, or raise (``PrinterError``/``OSError``) once ``deadline`` passes."""
        ...

    def read_byte(self, deadline: float) -> int | None:
        """One byte, or None when nothing came before ``deadline`` (``time.monotonic``)."""
        ...

    def status(self, timeout: float, deadline: Deadline) -> PrinterStatus:
        """The printer's (or its queue's) state, within ``timeout`` s and ``deadline``."""
        ...

    def finish(self, deadline: Deadline) -> PrinterStatus | None:
        """Hand the job over and wait until the printer has it. Queues (CUPS, the Windows
        spooler) follow the job here until it is printed. None: nothing more to report."""
        ...

    def close(self) -> None:
        """Release the connection without waiting for the printer (never blocks for long)."""
        ...


def open_connection(address: PrinterAddress, deadline: Deadline | None = None) -> Connection:
    """Connect; raise ``PrinterError`` with a clear message when it cannot be reached."""
    from dnw_desk.printing.errors import printer_error

    deadline = deadline or Deadline(JOB_DEADLINE)
    try:
        return _open(address, deadline)
    except Exception as exc:  # every transport's own errors become one clear PrinterError
        raise printer_error(exc, address, deadline) from exc


def _open(address: PrinterAddress, deadline: Deadline) -> Connection:
    if address.transport is Transport.TCP:
        from dnw_desk.printing.tcp import TcpConnection

        return TcpConnection(address.host, address.port, min(CONNECT_TIMEOUT, deadline.remaining()))
    if address.transport is Transport.FILE:
        from dnw_desk.printing.device import DeviceConnection

        return DeviceConnection(address.path)
    if address.transport is Transport.SERIAL:
        from dnw_desk.printing.serial_port import SerialConnection

        return SerialConnection(address.path, address.baudrate)
    if address.transport is Transport.USB:
        from dnw_desk.printing.usb import UsbConnection

        return UsbConnection(address.vendor_id, address.product_id)
    if address.transport is Transport.CUPS:
        from dnw_desk.printing.cups import CupsConnection

        return CupsConnection(address.name)
    if address.transport is Transport.WIN32:
        from dnw_desk.printing.spooler import SpoolerConnection

        return SpoolerConnection(address.name)
    raise PrinterError(_("The preview printer does not print; save a PDF instead."))


def _ask(connection: Connection, n: int, deadline: float, job: Deadline) -> int | None:
    connection.write(DLE_EOT + bytes([n]), job)
    while True:
        byte = connection.read_byte(deadline)
        # Status bytes have bit 1 and bit 4 set, bits 0 and 7 clear; skip anything else.
        if byte is None or byte & 0x93 == 0x12:
            return byte


def query_status(
    connection: Connection, timeout: float = STATUS_TIMEOUT, job: Deadline | None = None
) -> PrinterStatus:
    """Ask the printer (DLE EOT 1, 2, 4) within ``timeout`` seconds in total (and ``job``)."""
    job = job or Deadline(timeout)
    deadline = min(time.monotonic() + timeout, job.at)
    try:
        printer = _ask(connection, 1, deadline, job)
        if printer is None:
            return PrinterStatus(
                PrinterState.UNREACHABLE,
                detail=_("No status answer within {seconds:g} s.").format(seconds=timeout),
            )
        offline_cause = _ask(connection, 2, deadline, job) or 0
        paper = _ask(connection, 4, deadline, job) or 0
    except (OSError, PrinterError) as exc:
        return PrinterStatus(PrinterState.UNREACHABLE, detail=str(exc))
    paper_low = bool(paper & 0x0C)
    if offline_cause & 0x04:
        return PrinterStatus(PrinterState.COVER_OPEN, paper_low)
    if paper & 0x60 or offline_cause & 0x20:
        return PrinterStatus(PrinterState.PAPER_OUT, paper_low)
    if printer & 0x08:
        return PrinterStatus(PrinterState.OFFLINE, paper_low)
    return PrinterStatus(PrinterState.ONLINE, paper_low)


def check_status(address: PrinterAddress, timeout: float = STATUS_TIMEOUT) -> PrinterStatus:
    """Connect, ask, disconnect: within about ``timeout`` s plus the connect time."""
    if address.transport is Transport.PREVIEW:
        return PrinterStatus(PrinterState.UNKNOWN)
    deadline = Deadline(timeout + CONNECT_TIMEOUT)
    try:
        connection = open_connection(address, deadline)
    except PrinterError as exc:
        state = exc.status.state if exc.status else PrinterState.UNREACHABLE
        return PrinterStatus(state, detail=str(exc))
    try:
        return connection.status(timeout, deadline)
    except Exception as exc:
        from dnw_desk.printing.errors import printer_error

        error = printer_error(exc, address, deadline)
        state = error.status.state if error.status else PrinterState.UNREACHABLE
        return PrinterStatus(state, detail=str(error))
    finally:
        _close_quietly(connection)


def send_job(
    address: PrinterAddress,
    data: bytes,
    timeout: float = STATUS_TIMEOUT,
    deadline: float = JOB_DEADLINE,
) -> PrinterStatus:
    """Check, print, check again, all within ``deadline`` seconds (plus, on a serial line, the
    time the bytes take at its baud rate). Raises ``PrinterError`` with the reason when it did
    not print (or cannot be sure it did).

    Returns the status after the job (which can warn of low paper).
    """
    from dnw_desk.printing.errors import printer_error

    if address.transport is Transport.PREVIEW:
        raise PrinterError(_("The preview printer does not print; save a PDF instead."))
    job = Deadline(deadline + wire_seconds(address, len(data)))
    connection = open_connection(address, job)
    try:
        return _print(connection, address, data, timeout, job)
    except PrinterError:
        raise
    except Exception as exc:  # python-escpos, pyusb, pyserial: one clear message each
        raise printer_error(exc, address, job, during_job=True) from exc
    finally:
        _close_quietly(connection)


def wire_seconds(address: PrinterAddress, size: int) -> float:
    """How long ``size`` bytes take on the wire where the line itself is slow: a raster receipt
    (~60 KB) needs about a minute at 9600 baud, which no fixed deadline may cut short."""
    if address.transport is Transport.SERIAL:
        return size * 10 / address.baudrate  # 8N1: ten bits a byte
    return 0.0


def _print(
    connection: Connection, address: PrinterAddress, data: bytes, timeout: float, job: Deadline
) -> PrinterStatus:
    before = connection.status(timeout, job)
    if not before.ready:
        raise PrinterError(before.message(), before)
    connection.write(data, job)
    finished = connection.finish(job)
    if finished is not None:
        return finished
    if not address.can_read_status:
        return PrinterStatus(PrinterState.UNKNOWN)
    after = connection.status(timeout, job)
    if after.state is PrinterState.UNREACHABLE:
        # Unplugged or switched off mid-job: the receipt may be cut short or missing.
        raise PrinterError(
            _(
                "The printer stopped answering during the job. Check whether the receipt "
                "came out whole; if not, reprint it."
            ),
            after,
        )
    if after.state in (PrinterState.PAPER_OUT, PrinterState.COVER_OPEN):
        raise PrinterError(
            _("The printer stopped during the job: {status} Check the paper and reprint.").format(
                status=after.message()
            ),
            after,
        )
    return after


def _close_quietly(connection: Connection) -> None:
    # A failed close must not hide the job's own outcome (python-escpos re-raises its
    # connect error from close()).
    try:
        connection.close()
    except Exception as exc:
        log.warning("closing the printer connection failed: %s", exc.__class__.__name__)


class DleEotStatus:
    """For connections that can read back: status by DLE EOT, nothing to wait for at the end."""

    def status(self, timeout: float, deadline: Deadline) -> PrinterStatus:
        return query_status(cast(Connection, self), timeout, deadline)

    def finish(self, deadline: Deadline) -> PrinterStatus | None:
        return None
