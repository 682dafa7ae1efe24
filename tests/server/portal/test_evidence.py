"""The unit's liaison opens the case's evidence in the portal; the list never shows file names
(they may name people), and another unit's liaison cannot fetch the file."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx

from dnw_desk.services.attachments import attach_files
from dnw_desk.services.desk import Desk
from dnw_desk.store.blobs import BlobStore
from dnw_desk.sync.client import SyncClient
from tests.factories import CLERK, pdf_bytes, register
from tests.server.portal.conftest import PASSWORD, add_people
from tests.sync.conftest import LiveServer, Tokens


def _login(server: LiveServer, login: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=10)
    form = client.get("/portal/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    client.post(
        "/portal/login", data={"login": login, "password": PASSWORD, "csrf": token.group(1)}
    )
    return client


def test_the_liaison_opens_the_evidence_and_no_other_unit_can(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, tmp_path: Path
) -> None:
    add_people(live_server.db, datetime.now(UTC))
    content = pdf_bytes("受理回执")
    path = tmp_path / "张三的受理回执.pdf"
    path.write_bytes(content)
    case = register(enrolled_desk).case
    store = BlobStore.for_data_dir(enrolled_desk.data_dir)
    attach_files(enrolled_desk.cases, store, case.id, [path], CLERK)
    client = SyncClient(
        enrolled_desk.db, live_server.url, server_tokens.terminal, clock=enrolled_desk.clock
    )
    try:
        assert client.sync_once().status.state == "synced"
    finally:
        client.close()
    sha = hashlib.sha256(content).hexdigest()
    link = f"/portal/cases/{case.number}/attachments/{sha}"
    liaison = _login(live_server, "liaison")
    try:
        page = liaison.get(f"/portal/cases/{case.number}")
        assert link in page.text and "张三" not in page.text and "PDF" in page.text
        fetched = liaison.get(link)
        assert fetched.status_code == 200 and fetched.content == content
        assert fetched.headers["content-type"] == "application/pdf"
        assert fetched.headers["cache-control"] == "no-store"
        assert liaison.get(link.replace(sha, "0" * 64)).status_code == 404
    finally:
        liaison.close()
    other = _login(live_server, "other")
    try:
        assert other.get(link).status_code == 404
    finally:
        other.close()
