"""Talking to the printer: connections with our own timeouts, and the DLE EOT status check.

python-escpos' network printer waits 60 s by default; a counter clerk cannot. Every connection
here has explicit timeouts, and the status check (DLE EOT 1/2/4) has a 2-second deadline in
total. Jobs are already bytes (see ``escpos_out``), so a connection only writes and reads.
"""

from __future__ import annotations

import enum
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dnw_desk.i18n import _
from dnw_desk.printing.uri import PrinterAddress, Transport

STATUS_TIMEOUT = 2.0
CONNECT_TIMEOUT = 2.0
WRITE_TIMEOUT = 15.0  # a long receipt at 9600 baud takes a few seconds

DLE_EOT = b"\x10\x04"


class PrinterState(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"  # the connection cannot read back (file, CUPS, Windows spooler)


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    paper_low: bool = False
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state in (PrinterState.ONLINE, PrinterState.UNKNOWN)

    def message(self) -> str:
        text = {
            PrinterState.ONLINE: _("The printer is ready."),
            PrinterState.OFFLINE: _("The printer is offline."),
            PrinterState.PAPER_OUT: _("The printer is out of paper."),
            PrinterState.COVER_OPEN: _("The printer cover is open."),
            PrinterState.UNREACHABLE: _("The printer does not answer."),
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


class Connection(Protocol):
    def write(self, data: bytes) -> None: ...

    def read_byte(self, deadline: float) -> int | None:
        """One byte, or None when nothing came before ``deadline`` (``time.monotonic``)."""
        ...

    def close(self) -> None: ...


class TcpConnection:
    def __init__(self, host: str, port: int, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.sock = socket.create_connection((host, port), timeout=connect_timeout)

    def write(self, data: bytes) -> None:
        self.sock.settimeout(WRITE_TIMEOUT)
        self.sock.sendall(data)

    def read_byte(self, deadline: float) -> int | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1)
        except TimeoutError:
            return None
        if not data:
            raise ConnectionError("the printer closed the connection")
        return data[0]

    def close(self) -> None:
        self.sock.close()


class EscposConnection:
    """USB, serial and the Windows spooler through python-escpos, with short timeouts set."""

    def __init__(self, printer: Any) -> None:
        self.printer = printer
        self._pending = b""

    def write(self, data: bytes) -> None:
        self.printer._raw(data)

    def read_byte(self, deadline: float) -> int | None:
        while not self._pending:
            if time.monotonic() >= deadline:
                return None
            self._pending = bytes(self.printer._read() or b"")
        byte, self._pending = self._pending[0], self._pending[1:]
        return byte

    def close(self) -> None:
        self.printer.close()


class FileConnection:
    def __init__(self, path: str) -> None:
        self.file = Path(path).open("ab")  # noqa: SIM115 - closed in close()

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.file.flush()

    def read_byte(self, deadline: float) -> int | None:
        return None

    def close(self) -> None:
        self.file.close()


class LpConnection:
    """A CUPS queue, raw: collects the job and hands it to ``lp`` on close."""

    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def read_byte(self, deadline: float) -> int | None:
        return None

    def close(self) -> None:
        if not self.data:
            return
        try:
            result = subprocess.run(
                ["lp", "-d", self.queue, "-o", "raw"],
                input=bytes(self.data),
                capture_output=True,
                timeout=WRITE_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise PrinterError(_("CUPS is not installed (no 'lp' command).")) from None
        except subprocess.TimeoutExpired:
            raise PrinterError(_("CUPS did not take the job in time.")) from None
        if result.returncode != 0:
            detail = result.stderr.decode(errors="replace").strip()
            raise PrinterError(_("CUPS refused the job: {detail}").format(detail=detail))


def open_connection(address: PrinterAddress) -> Connection:
    """Connect; raise ``PrinterError`` with a clear message when it cannot be reached."""
    try:
        if address.transport is Transport.TCP:
            return TcpConnection(address.host, address.port)
        if address.transport is Transport.FILE:
            return FileConnection(address.path)
        if address.transport is Transport.CUPS:
            return LpConnection(address.name)
        return EscposConnection(_escpos_printer(address))
    except PrinterError:
        raise
    except (OSError, TimeoutError) as exc:
        raise PrinterError(
            _("Cannot reach the printer at {uri}: {reason}").format(
                uri=address.uri, reason=exc.strerror or exc.__class__.__name__
            ),
            PrinterStatus(PrinterState.UNREACHABLE),
        ) from exc
    except Exception as exc:  # python-escpos raises its own DeviceNotFoundError and others
        raise PrinterError(
            _("Cannot open the printer at {uri}: {reason}").format(uri=address.uri, reason=exc),
            PrinterStatus(PrinterState.UNREACHABLE),
        ) from exc


def _escpos_printer(address: PrinterAddress) -> Any:
    if address.transport is Transport.USB:
        from escpos.printer import Usb

        # python-escpos takes the USB timeout in milliseconds.
        return Usb(address.vendor_id, address.product_id, timeout=int(STATUS_TIMEOUT * 1000))
    if address.transport is Transport.SERIAL:
        from escpos.printer import Serial

        printer = Serial(address.path, baudrate=address.baudrate, timeout=0.2)
        printer.open()
        return printer
    if address.transport is Transport.WIN32:
        from escpos.printer import Win32Raw

        if not Win32Raw.is_usable():
            raise PrinterError(_("Windows printing needs the pywin32 package."))
        printer = Win32Raw(address.name)
        printer.open()
        return printer
    raise PrinterError(_("Nothing to connect to for {uri}.").format(uri=address.uri))


def _ask(connection: Connection, n: int, deadline: float) -> int | None:
    connection.write(DLE_EOT + bytes([n]))
    while True:
        byte = connection.read_byte(deadline)
        # Status bytes have bit 1 and bit 4 set, bits 0 and 7 clear; skip anything else.
        if byte is None or byte & 0x93 == 0x12:
            return byte


def query_status(connection: Connection, timeout: float = STATUS_TIMEOUT) -> PrinterStatus:
    """Ask the printer (DLE EOT 1, 2, 4) within ``timeout`` seconds in total."""
    deadline = time.monotonic() + timeout
    try:
        printer = _ask(connection, 1, deadline)
        if printer is None:
            return PrinterStatus(
                PrinterState.UNREACHABLE,
                detail=_("No status answer within {seconds:g} s.").format(seconds=timeout),
            )
        offline_cause = _ask(connection, 2, deadline) or 0
        paper = _ask(connection, 4, deadline) or 0
    except OSError as exc:
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
    """Connect, ask, disconnect. Never takes much longer than ``timeout`` (+ connect time)."""
    if not address.can_read_status:
        return PrinterStatus(PrinterState.UNKNOWN)
    try:
        connection = open_connection(address)
    except PrinterError as exc:
        return PrinterStatus(PrinterState.UNREACHABLE, detail=str(exc))
    try:
        return query_status(connection, timeout)
    finally:
        connection.close()


def send_job(
    address: PrinterAddress, data: bytes, timeout: float = STATUS_TIMEOUT
) -> PrinterStatus:
    """Check, print, check again. Raises ``PrinterError`` with the reason when it did not print.

    Returns the status after the job (which can warn of low paper).
    """
    if address.transport is Transport.PREVIEW:
        raise PrinterError(_("The preview printer does not print; save a PDF instead."))
    connection = open_connection(address)
    try:
        if address.can_read_status:
            before = query_status(connection, timeout)
            if not before.ready:
                raise PrinterError(before.message(), before)
        try:
            connection.write(data)
        except OSError as exc:
            raise PrinterError(
                _("Sending to the printer failed: {reason}").format(reason=exc),
                PrinterStatus(PrinterState.UNREACHABLE),
            ) from exc
        if not address.can_read_status:
            return PrinterStatus(PrinterState.UNKNOWN)
        after = query_status(connection, timeout)
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
                _(
                    "The printer stopped during the job: {status} Check the paper and reprint."
                ).format(status=after.message()),
                after,
            )
        return after
    finally:
        connection.close()
