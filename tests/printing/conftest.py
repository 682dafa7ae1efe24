"""Fixtures for the printing tests: a QGuiApplication, sample documents, a fake network printer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication

from tests.printing.helpers import answer_status_queries


@pytest.fixture(scope="session")
def gui_app() -> QGuiApplication:
    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication([])
    assert isinstance(app, QGuiApplication)
    return app


class FakePrinter:
    """A network printer on 127.0.0.1 that answers DLE EOT with fixed status bytes.

    ``answers`` maps n (1, 2, 4) to the reply byte; ``silent`` accepts and never answers.
    """

    def __init__(self, answers: dict[int, int] | None = None, silent: bool = False) -> None:
        self.answers = answers or {1: 0x12, 2: 0x12, 4: 0x12}
        self.silent = silent
        self.received = bytearray()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        pending = b""
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                self.received += data
                pending = answer_status_queries(
                    pending + data, self.answers, self.silent, conn.sendall
                )

    def close(self) -> None:
        self._stop.set()
        self.server.close()
        self._thread.join(timeout=1)


ONLINE = {1: 0x12, 2: 0x12, 4: 0x12}
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x7E}  # offline, stopped by paper end, sensor: paper end
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}


@pytest.fixture
def fake_printer() -> Iterator[type[FakePrinter]]:
    started: list[FakePrinter] = []

    class Factory(FakePrinter):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    yield Factory
    for printer in started:
        printer.close()


class HoldingPrinter:
    """Takes the connection and then nothing: a printer that is silent or stopped (no paper)
    and never finishes the job."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.uri = f"tcp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def holding_printer() -> Iterator[HoldingPrinter]:
    printer = HoldingPrinter()
    yield printer
    printer.close()
