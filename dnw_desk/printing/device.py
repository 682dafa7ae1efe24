"""``file://`` printers: a device node (``/dev/usb/lp0``, a parallel port), a FIFO, or a file.

Opened and written without blocking: a FIFO with no reader, or a device node whose printer is
off, would otherwise hang ``open()`` or ``write()`` for good. Writes wait for the device with
``poll`` until the job's deadline, no longer.
"""

from __future__ import annotations

import errno
import os
import select

from dnw_desk.i18n import _
from dnw_desk.printing.connection import (
    Deadline,
    PrinterState,
    PrinterStatus,
    deadline_error,
)

CHUNK = 16384
# Not on Windows: there a file:// printer is a plain file and writes do not block.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)


class DeviceConnection:
    def __init__(self, path: str) -> None:
        flags = os.O_WRONLY | os.O_APPEND | _NONBLOCK | _NOCTTY | getattr(os, "O_BINARY", 0)
        # A missing device node means the printer is unplugged: never create a file in /dev.
        if not path.startswith("/dev/"):
            flags |= os.O_CREAT
        # O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of waiting forever.
        self.fd = os.open(path, flags, 0o644)
        self.path = path

    def write(self, data: bytes, deadline: Deadline) -> None:
        view = memoryview(data)
        poller = select.poll() if _NONBLOCK and hasattr(select, "poll") else None
        if poller is not None:
            poller.register(self.fd, select.POLLOUT)
        while view:
            try:
                written = os.write(self.fd, view[:CHUNK])
            except BlockingIOError:
                written = 0
            except OSError as exc:
                if exc.errno != errno.EAGAIN:
                    raise
                written = 0
            view = view[written:]
            if written or not view:
                continue
            remaining = deadline.remaining()
            if remaining <= 0 or poller is None:
                raise deadline_error(deadline, _("sending the job"))
            # Full (the reader stopped, the printer is busy): wait until it takes more.
            poller.poll(max(1, int(remaining * 1000)))

    def read_byte(self, deadline: float) -> int | None:
        return None

    def status(self, timeout: float, deadline: Deadline) -> PrinterStatus:
        return PrinterStatus(PrinterState.UNKNOWN)

    def finish(self, deadline: Deadline) -> PrinterStatus | None:
        return None

    def close(self) -> None:
        os.close(self.fd)
