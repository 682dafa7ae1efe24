"""Issue finding 6: a lone UTF-16 surrogate in any string field is a 422 naming the field (not
a 500), and the connection stays usable for the next request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from dnw_desk.contract.wire import FEEDBACK_PATH, PUSH_PATH, WHOAMI_PATH
from tests.factories import desk_at, register
from tests.server.helpers import feedback, outbox_payloads
from tests.sync.conftest import LiveServer, Tokens

LONE = "x\ud800y"


def _post(http: httpx.Client, path: str, body: Any, token: str) -> httpx.Response:
    # json.dumps escapes the lone surrogate as \ud800, exactly what an attacker sends.
    return http.post(
        path,
        content=json.dumps(body).encode("ascii"),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


def _named(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]]


def _push_op(data_dir: Path) -> dict[str, Any]:
    desk, _clock = desk_at(data_dir)
    try:
        register(desk)
        return outbox_payloads(desk)[0]
    finally:
        desk.close()


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (("event", "actor"), "body.ops.0.event.actor"),
        (("event", "data", "complainant", "name"), "body.ops.0.event.data"),
        (("case_no",), "body.ops.0.case_no"),
    ],
)
def test_push_with_a_lone_surrogate(
    live_server: LiveServer,
    server_tokens: Tokens,
    data_dir: Path,
    where: tuple[str, ...],
    field: str,
) -> None:
    op = _push_op(data_dir)
    target = op
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = LONE
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        assert field in _named(_post(http, PUSH_PATH, {"ops": [op]}, server_tokens.terminal))
        auth = {"Authorization": f"Bearer {server_tokens.terminal}"}
        assert http.get(WHOAMI_PATH, headers=auth).status_code == 200  # same connection


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"by": LONE}, "body.by"),
        ({"case_no": LONE}, "body.case_no"),
        ({"data": {"kind": "handled", "text": LONE}}, "body.data"),
        ({"data": {"kind": "handled", "text": "ok", LONE: 1}}, "body.data"),
    ],
)
def test_feedback_with_a_lone_surrogate(
    live_server: LiveServer, server_tokens: Tokens, change: dict[str, Any], field: str
) -> None:
    body = {**feedback("AH08-20261124-0001Y"), **change}
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        assert field in _named(_post(http, FEEDBACK_PATH, body, server_tokens.unit))
        assert http.get("/api/v1/health").status_code == 200  # same connection


def test_status_page_with_a_lone_surrogate(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        # Percent-encoded halves of a surrogate: not UTF-8, in the path and in the query.
        reply = http.get("/status/AH08%ED%A0%80?code=%ED%A0%80&lang=%ED%A0%80")
        assert reply.status_code in (404, 422)
        assert http.get("/api/v1/health").status_code == 200
