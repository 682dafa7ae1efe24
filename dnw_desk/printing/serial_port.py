"""A serial printer through pyserial, bounded by the job's deadline.

Not python-escpos' ``Serial``: its ``close()`` drains the output without a time limit (a printer
that stopped reading hangs the job for good) and its ``_read()`` asks for 16 bytes, so every
status answer waited for the whole read timeout. Here a status read returns as soon as its byte
arrives, writes stop at the deadline, and close discards what the printer did not take.
"""

from __future__ import annotations

import time
from typing import Any

from dnw_desk.i18n import _
from dnw_desk.printing.connection import Deadline, DleEotStatus, deadline_error

CHUNK = 1024  # small: at 9600 baud 1 KB is about a second on the wire


def _serial_module() -> Any:
    try:
        import serial
    except ImportError:
        from dnw_desk.printing.errors import missing_piece

        raise missing_piece("pyserial", _("serial printers")) from None
    return serial


class SerialConnection(DleEotStatus):
    def __init__(self, path: str, baudrate: int) -> None:
        serial = _serial_module()
        # pyserial opens with O_NONBLOCK, so a port without a device behind it cannot hang here.
        # dsrdtr as python-escpos sets it: DTR/DSR handshake where the OS has it (Windows).
        self.port = serial.Serial(path, baudrate=baudrate, timeout=0, write_timeout=0, dsrdtr=True)
        self._timeout_error: type[Exception] = serial.SerialTimeoutException

    def write(self, data: bytes, deadline: Deadline) -> None:
        view = memoryview(data)
        while view:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise deadline_error(deadline, _("sending the job"))
            self.port.write_timeout = remaining
            try:
                written = self.port.write(view[:CHUNK])
            except self._timeout_error:
                raise deadline_error(deadline, _("sending the job")) from None
            view = view[written or 0 :]

    def read_byte(self, deadline: float) -> int | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        self.port.timeout = remaining
        data: bytes = self.port.read(1)  # returns as soon as one byte is there
        return data[0] if data else None

    def close(self) -> None:
        try:
            # Whatever the printer did not take is dropped, so closing cannot wait on it.
            self.port.reset_output_buffer()
        finally:
            self.port.close()
