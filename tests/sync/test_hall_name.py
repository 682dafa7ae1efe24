"""The status page names the hall: the desk reports its hall's name at sync; an
administrator's name on the server wins over any terminal's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import httpx

from dnw_desk.server.halls import name_of, set_name
from dnw_desk.services.desk import Desk
from dnw_desk.services.settings import load_settings, save_settings
from dnw_desk.sync.client import SyncClient
from tests.factories import register
from tests.sync.conftest import LiveServer, Tokens


def _sync(desk: Desk, server: LiveServer, tokens: Tokens) -> None:
    client = SyncClient(desk.db, server.url, tokens.terminal, clock=desk.clock)
    try:
        report = client.sync_once()
    finally:
        client.close()
    assert report.status.state == "synced", report.status.text()


def _rename_hall(desk: Desk, name: str) -> None:
    settings = replace(load_settings(desk.db), hall_name=name)
    save_settings(desk.db, settings, actor="admin:admin", now=desk.clock())


def _status_page(server: LiveServer, number: str, code: str) -> str:
    response = httpx.get(f"{server.url}/status/{number}", params={"code": code}, timeout=10)
    assert response.status_code == 200
    return response.text


def test_the_status_page_names_the_hall_the_desk_was_set_up_for(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    case = register(enrolled_desk).case
    _rename_hall(enrolled_desk, "合肥市政务服务中心")
    _sync(enrolled_desk, live_server, server_tokens)
    page = _status_page(live_server, case.number, case.verification_code)
    assert "合肥市政务服务中心 · “办不成事”反映窗口" in page
    lookup = httpx.get(f"{live_server.url}/status", timeout=10).text
    assert "合肥市政务服务中心" in lookup  # the only hall this server serves

    _rename_hall(enrolled_desk, "合肥市政务服务中心（滨湖）")
    _sync(enrolled_desk, live_server, server_tokens)
    assert "合肥市政务服务中心（滨湖）" in _status_page(
        live_server, case.number, case.verification_code
    )


def test_an_administrators_name_is_kept_over_the_terminals(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    case = register(enrolled_desk).case
    with live_server.db.write() as conn:
        set_name(conn, "AH", "安徽政务服务中心", "admin", datetime.now(UTC))
    _rename_hall(enrolled_desk, "某个打错的名字")
    _sync(enrolled_desk, live_server, server_tokens)
    with live_server.db.read() as conn:
        assert name_of(conn, "AH") == "安徽政务服务中心"
    assert "安徽政务服务中心" in _status_page(live_server, case.number, case.verification_code)


def test_a_hall_name_that_is_not_one_line_is_refused(
    live_server: LiveServer, server_tokens: Tokens
) -> None:
    response = httpx.put(
        f"{live_server.url}/api/v1/terminal/hall-name",
        json={"name": "   "},
        headers={"Authorization": f"Bearer {server_tokens.terminal}"},
        timeout=10,
    )
    assert response.status_code == 422
    assert "one line" in response.text
