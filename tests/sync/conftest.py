"""A real dnw-server (uvicorn on 127.0.0.1) for the desk's sync client, on SQLite or
PostgreSQL, plus an enrolled desk."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn

from dnw_desk.server import credentials
from dnw_desk.server.app import create_app
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.services.desk import Desk
from dnw_desk.sync.credentials import CredentialStore
from dnw_desk.sync.enrolment import enrol
from tests.factories import desk_at
from tests.server.conftest import UNIT, fresh_database


def free_port() -> int:
    """A loopback port free now, for a server started later. Under pytest-xdist each worker
    takes only ports of its own class: between this call and the server's bind another
    worker could be handed the same free port, and its server would then answer ours."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    held: list[socket.socket] = []
    try:
        for _attempt in range(200):
            sock = socket.socket()
            held.append(sock)  # held open, so the next bind is handed another port
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
            if (port >> 1) % workers == worker:  # bind(0) hands out odd ports only (Linux)
                return port
    finally:
        for sock in held:
            sock.close()
    raise RuntimeError("no free loopback port of this worker's class")


class LiveServer:
    """uvicorn in a thread; stop() and start() again on the same port."""

    def __init__(self, db: ServerDatabase) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        app = create_app(Settings(status_burst=1000), db=self.db)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(15)
            self._server = None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    db = fresh_database(str(request.param), tmp_path)
    server = LiveServer(db)
    server.start()
    yield server
    server.stop()
    db.dispose()


@dataclass
class Tokens:
    terminal: str
    terminal_id: int
    unit: str


@pytest.fixture
def server_tokens(live_server: LiveServer) -> Tokens:
    now = datetime.now(UTC)
    with live_server.db.write() as conn:
        terminal, token = credentials.add_terminal(conn, "AH", "08", now)
        _unit, unit = credentials.add_unit(conn, UNIT, now, halls=["AH"])
    return Tokens(token, terminal.id, unit)


@pytest.fixture
def enrolled_desk(data_dir: Path, live_server: LiveServer, server_tokens: Tokens) -> Iterator[Desk]:
    desk, _clock = desk_at(data_dir)
    enrol(
        desk.db,
        data_dir,
        live_server.url,
        server_tokens.terminal,
        hall="AH",
        window="08",
        store=CredentialStore(data_dir, use_keyring=False),
    )
    yield desk
    desk.close()
