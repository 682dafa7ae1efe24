"""Fault injection between desk and server: lost requests and responses, duplicate delivery,
delay, timeouts, and a server killed mid-batch. After recovery the server holds exactly the
desk's cases and events: none lost, none duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from dnw_desk.contract.wire import FEEDBACK_PATH, HEALTH_PATH, PUSH_PATH
from dnw_desk.domain.case import EventType
from dnw_desk.server import credentials
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.services.desk import Desk
from dnw_desk.sync.client import SyncClient
from dnw_desk.sync.credentials import CredentialStore
from dnw_desk.sync.enrolment import enrol
from tests.factories import CLERK, desk_at, register
from tests.server.conftest import fresh_database
from tests.server.helpers import feedback
from tests.sync.conftest import LiveServer, Tokens, free_port
from tests.sync.helpers import FaultyTransport, assert_same, random_faults

MAX_ROUNDS = 200


def _drain(client: SyncClient, desk: Desk) -> int:
    """Sync until a clean round leaves nothing pending; returns the rounds it took."""
    for rounds in range(1, MAX_ROUNDS + 1):
        report = client.sync_once()
        if report.status.state == "synced" and report.status.pending == 0:
            return rounds
    raise AssertionError(f"still not synced after {MAX_ROUNDS} rounds: {report.status}")


@pytest.mark.parametrize("seed", [1, 2])
def test_random_network_faults_lose_and_duplicate_nothing(
    seed: int, enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    transport = FaultyTransport(httpx.HTTPTransport(), random_faults(seed, rate=0.5))
    client = SyncClient(
        enrolled_desk.db,
        live_server.url,
        server_tokens.terminal,
        clock=enrolled_desk.clock,
        transport=transport,
        batch_size=5,
        page_size=3,
    )
    unit = {"Authorization": f"Bearer {server_tokens.unit}"}
    numbers = []
    for step in range(12):
        saved = register(enrolled_desk)
        numbers.append((saved.case.id, saved.case.number))
        if step % 3 == 2:
            enrolled_desk.cases.record(saved.case.id, EventType.NOTE, CLERK, {"text": "补充材料"})
        client.sync_once()  # whatever the faults do, keep going
        if step % 2 == 1:
            # A unit answers an already-pushed case; the desk must pull it exactly once.
            _case_id, number = numbers[step - 1]
            httpx.post(
                live_server.url + FEEDBACK_PATH,
                json=feedback(number, "unit_accepted"),
                headers=unit,
                timeout=10,
            )
    _drain(client, enrolled_desk)
    client.close()
    assert sum(transport.injected.values()) >= 5, transport.injected
    assert_same(enrolled_desk, live_server.db)


def _serve(url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DNW_DATABASE_URL": url, "DNW_SERVER_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "dnw_desk.server.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError("dnw-server exited at start-up")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("dnw-server did not start")


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_server_killed_mid_batch_loses_and_duplicates_nothing(
    backend: str, tmp_path: Path, data_dir: Path
) -> None:
    db: ServerDatabase = fresh_database(backend, tmp_path)
    with db.write() as conn:
        _record, token = credentials.add_terminal(conn, "AH", "08", datetime.now(UTC))
    port = free_port()
    url = db.url
    process = _serve(url, port, tmp_path / "server")
    desk, _clock = desk_at(data_dir)
    try:
        enrol(
            desk.db,
            data_dir,
            f"http://127.0.0.1:{port}",
            token,
            hall="AH",
            window="08",
            store=CredentialStore(data_dir, use_keyring=False),
        )
        for _case in range(60):
            register(desk)
        kills = 0

        def kill_while_in_flight(call: int, request: httpx.Request) -> None:
            nonlocal kills
            if request.url.path == PUSH_PATH and call in (2, 4):
                # Kill the server a few milliseconds into the batch, while it applies it.
                delay = 0.005 * call
                threading.Timer(delay, os.kill, (process.pid, signal.SIGKILL)).start()
                kills += 1

        transport = FaultyTransport(
            httpx.HTTPTransport(), lambda _c, _r: None, before=kill_while_in_flight
        )
        client = SyncClient(
            desk.db,
            f"http://127.0.0.1:{port}",
            token,
            clock=desk.clock,
            transport=transport,
            batch_size=25,
            timeout=5,
        )
        interrupted = 0
        for _round in range(20):
            report = client.sync_once()
            interrupted += report.status.state == "offline"
            if process.poll() is not None:
                process.wait(10)
                process = _serve(url, port, tmp_path / "server")  # the restart
            if report.status.state == "synced" and report.status.pending == 0:
                break
        client.close()
        assert kills == 2 and interrupted >= 1
        assert_same(desk, db)
    finally:
        process.kill()
        process.wait(10)
        desk.close()
        db.dispose()
