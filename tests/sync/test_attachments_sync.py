"""Attachments travel to the server by content hash before the event that lists them; only the
case's terminal and its unit may fetch them; the public page never shows them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import httpx

from dnw_desk.contract.wire import BLOB_PATH
from dnw_desk.server import credentials
from dnw_desk.services.attachments import attach_files
from dnw_desk.services.desk import Desk
from dnw_desk.store.blobs import BlobStore
from dnw_desk.sync.client import SyncClient
from tests.factories import CLERK, pdf_bytes, png_bytes, register
from tests.server.conftest import UNIT
from tests.sync.conftest import LiveServer, Tokens
from tests.sync.helpers import FaultyTransport


def _attach(desk: Desk, tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    case = register(desk).case
    attach_files(desk.cases, BlobStore.for_data_dir(desk.data_dir), case.id, [path], CLERK)
    return str(case.number)


def _sync(desk: Desk, server: LiveServer, tokens: Tokens, **options: object) -> str:
    client = SyncClient(desk.db, server.url, tokens.terminal, clock=desk.clock, **options)  # type: ignore[arg-type]
    try:
        return client.sync_once().status.state
    finally:
        client.close()


def _get(server: LiveServer, path: str, token: str) -> httpx.Response:
    return httpx.get(server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_an_attachment_reaches_the_unit_and_no_one_else(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, tmp_path: Path
) -> None:
    content = pdf_bytes("受理回执")
    sha = hashlib.sha256(content).hexdigest()
    number = _attach(enrolled_desk, tmp_path, "张三的受理回执.pdf", content)
    assert _sync(enrolled_desk, live_server, server_tokens) == "synced"

    path = f"/api/v1/cases/{number}/attachments/{sha}"
    for token in (server_tokens.unit, server_tokens.terminal):
        fetched = _get(live_server, path, token)
        assert fetched.status_code == 200 and fetched.content == content
        assert fetched.headers["content-type"] == "application/pdf"
        assert fetched.headers["cache-control"] == "no-store"
    now = datetime.now(UTC)
    with live_server.db.write() as conn:
        _other, other_unit = credentials.add_unit(conn, "省市场监管局", now, halls=["AH"])
        _t, other_terminal = credentials.add_terminal(conn, "AH", "09", now)
    with live_server.db.write() as conn:  # the same name, another city's hall
        _same, same_name_elsewhere = credentials.add_unit(conn, UNIT, now, halls=["HF"])
    assert _get(live_server, path, other_unit).status_code == 403
    assert _get(live_server, path, same_name_elsewhere).status_code == 403
    assert _get(live_server, path, other_terminal).status_code == 403
    assert (
        _get(
            live_server, f"/api/v1/cases/{number}/attachments/{'0' * 64}", server_tokens.unit
        ).status_code
        == 404
    )
    assert httpx.get(live_server.url + path, timeout=10).status_code == 401
    # Encrypted at rest on the server; not on the public page.
    with live_server.db.read() as conn:
        stored = conn.exec_driver_sql("SELECT content FROM blobs").scalar_one()
    assert content not in bytes(stored)
    page = httpx.get(f"{live_server.url}/status/{number}", timeout=10).text
    assert "受理回执" not in page and sha not in page


def test_a_round_cut_short_resumes_and_sends_each_file_once(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, tmp_path: Path
) -> None:
    content = png_bytes(800, 600)
    _attach(enrolled_desk, tmp_path, "a.png", content)
    puts: list[str] = []

    def fail_first_put(_call: int, request: httpx.Request) -> str | None:
        if request.method == "PUT" and request.url.path.startswith(BLOB_PATH):
            puts.append(request.url.path)
            if len(puts) == 1:
                return "lose_request"
        return None

    flaky = FaultyTransport(httpx.HTTPTransport(), fail_first_put)
    assert _sync(enrolled_desk, live_server, server_tokens, transport=flaky) == "offline"
    assert _sync(enrolled_desk, live_server, server_tokens, transport=flaky) == "synced"
    assert _sync(enrolled_desk, live_server, server_tokens, transport=flaky) == "synced"
    assert len(puts) == 2  # the failed one and its retry; the third round found it there


def test_the_server_refuses_bytes_that_do_not_match_their_hash(
    live_server: LiveServer, server_tokens: Tokens
) -> None:
    auth = {"Authorization": f"Bearer {server_tokens.terminal}"}
    content = png_bytes()
    wrong = httpx.put(
        f"{live_server.url}{BLOB_PATH}/{'a' * 64}", content=content, headers=auth, timeout=10
    )
    assert wrong.status_code == 422 and "SHA-256" in wrong.text
    exe = b"MZ\x90\x00"
    refused = httpx.put(
        f"{live_server.url}{BLOB_PATH}/{hashlib.sha256(exe).hexdigest()}",
        content=exe,
        headers=auth,
        timeout=10,
    )
    assert refused.status_code == 422 and "PDF, JPEG or PNG" in refused.text
