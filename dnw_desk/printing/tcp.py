"""A network printer (raw port 9100), with every socket call bounded by the job's deadline."""

from __future__ import annotations

import socket
import time

from dnw_desk.i18n import _
from dnw_desk.printing.connection import Deadline, DleEotStatus, deadline_error


class TcpConnection(DleEotStatus):
    def __init__(self, host: str, port: int, connect_timeout: float) -> None:
        self.sock = socket.create_connection((host, port), timeout=max(connect_timeout, 0.01))
        # Without it Nagle's algorithm holds a status query or the job's last partial packet
        # until the printer's delayed acknowledgement (40 ms on Linux) comes back.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes, deadline: Deadline) -> None:
        # One sendall: the kernel sends full packets back to back. Its timeout bounds the whole
        # call (not each packet), so a printer that reads slowly cannot outlast the deadline.
        remaining = deadline.remaining()
        if remaining <= 0:
            raise deadline_error(deadline, _("sending the job"))
        self.sock.settimeout(remaining)
        try:
            self.sock.sendall(data)
        except TimeoutError:
            raise deadline_error(deadline, _("sending the job")) from None

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
