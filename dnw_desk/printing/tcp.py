"""A network printer (raw port 9100), with every socket call bounded by the job's deadline."""

from __future__ import annotations

import socket
import time

from dnw_desk.i18n import _
from dnw_desk.printing.connection import Deadline, DleEotStatus, deadline_error

CHUNK = 16384


class TcpConnection(DleEotStatus):
    def __init__(self, host: str, port: int, connect_timeout: float) -> None:
        self.sock = socket.create_connection((host, port), timeout=max(connect_timeout, 0.01))

    def write(self, data: bytes, deadline: Deadline) -> None:
        # One timeout per send() call would let a printer that reads slowly take much longer
        # than the deadline in total: every chunk gets only what is left.
        view = memoryview(data)
        while view:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise deadline_error(deadline, _("sending the job"))
            self.sock.settimeout(remaining)
            try:
                sent = self.sock.send(view[:CHUNK])
            except TimeoutError:
                raise deadline_error(deadline, _("sending the job")) from None
            view = view[sent:]

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
