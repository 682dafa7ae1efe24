"""Fault drills for sync: a server answering 500, garbage or nothing, and a desk killed while
syncing. The outbox stays intact, the status says what is wrong, and once the server is well
again everything arrives exactly once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dnw_desk.services.desk import Desk
from dnw_desk.store import cases_repo
from dnw_desk.sync.client import SyncClient
from tests.factories import register
from tests.sync.conftest import LiveServer, Tokens
from tests.sync.helpers import assert_same

ROOT = Path(__file__).resolve().parents[2]


def _pending(desk: Desk) -> int:
    with desk.db.read() as conn:
        return cases_repo.pending_op_count(conn)


def _answering(respond: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(respond)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections on 127.0.0.1 and never answers (a hung server or proxy)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    listener.close()


@pytest.mark.parametrize(
    ("respond", "expected_state"),
    [
        (lambda r: httpx.Response(500, text="Internal Server Error"), "error"),
        (lambda r: httpx.Response(502, text="<html>Bad Gateway</html>"), "error"),
        (lambda r: httpx.Response(200, content=b"\x00\xff not json"), "error"),
        (lambda r: httpx.Response(200, json={"unexpected": True}), "error"),
    ],
    ids=["500", "502-html", "garbage", "wrong-shape"],
)
def test_bad_answers_keep_the_outbox_and_report_an_error(
    respond: Callable[[httpx.Request], httpx.Response],
    expected_state: str,
    enrolled_desk: Desk,
    live_server: LiveServer,
    server_tokens: Tokens,
) -> None:
    for _ in range(3):
        register(enrolled_desk)
    before = _pending(enrolled_desk)
    bad = SyncClient(
        enrolled_desk.db, live_server.url, server_tokens.terminal, transport=_answering(respond)
    )
    report = bad.sync_once()
    bad.close()
    assert report.status.state in (expected_state, "offline")
    assert report.status.text()  # the status bar has something to say
    assert _pending(enrolled_desk) == before  # nothing marked sent

    good = SyncClient(enrolled_desk.db, live_server.url, server_tokens.terminal)
    assert good.sync_once().status.state == "synced"
    good.close()
    assert_same(enrolled_desk, live_server.db)


def test_a_hung_server_times_out_and_the_desk_goes_offline(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, silent_server: str
) -> None:
    register(enrolled_desk)
    client = SyncClient(enrolled_desk.db, silent_server, server_tokens.terminal, timeout=0.5)
    started = time.monotonic()
    report = client.sync_once()
    client.close()
    assert time.monotonic() - started < 10
    assert report.status.state == "offline"
    assert _pending(enrolled_desk) == 2
    good = SyncClient(enrolled_desk.db, live_server.url, server_tokens.terminal)
    good.sync_once()
    good.close()
    assert_same(enrolled_desk, live_server.db)


CHILD = """
import sys, time, httpx
from pathlib import Path
from dnw_desk.services.desk import open_desk
from dnw_desk.sync.client import SyncClient

class Slow(httpx.HTTPTransport):
    def handle_request(self, request):
        print("request", flush=True)
        time.sleep(0.05)
        return super().handle_request(request)

desk = open_desk(Path(sys.argv[1]))
client = SyncClient(desk.db, sys.argv[2], sys.argv[3], transport=Slow(), batch_size=2)
while True:
    client.sync_once()
"""


def test_killed_while_syncing_resumes_without_duplicates(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, data_dir: Path
) -> None:
    for _ in range(15):
        register(enrolled_desk)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), live_server.url, server_tokens.terminal],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    for _ in range(4):  # a few batches in, then pull the plug
        assert child.stdout.readline().strip() == "request"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert _pending(enrolled_desk) > 0, "the kill came too late to test anything"

    client = SyncClient(enrolled_desk.db, live_server.url, server_tokens.terminal)
    for _ in range(5):
        if client.sync_once().status.state == "synced" and _pending(enrolled_desk) == 0:
            break
    client.close()
    assert_same(enrolled_desk, live_server.db)
