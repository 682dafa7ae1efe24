"""Bad input gets 401/413/422 with a clear body, never a 500."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dnw_desk.contract.wire import MAX_BATCH, PULL_PATH, PUSH_PATH
from tests.factories import desk_at, register
from tests.server.conftest import Credentials
from tests.server.helpers import outbox_payloads


@pytest.fixture
def ops(data_dir: Path) -> list[dict[str, Any]]:
    desk, _clock = desk_at(data_dir)
    register(desk)
    return outbox_payloads(desk)


def _mutate(op: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    op = copy.deepcopy(op)
    target = op
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    return op


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("op_id", "not-a-uuid", "op_id"),
        ("seq", 0, "seq"),
        ("case_id", None, "case_id"),
        ("event.type", "teleported", "type"),
        ("event.at", "2026-11-24T10:00:00", "at"),  # no time zone
        ("event.at", "1899-01-01T10:00:00+08:00", "at"),
        ("event.actor", "a\x00b", "actor"),
        ("event.data", {"text": "a\x00b"}, "data"),
        ("event.data", {"deadline": "tomorrow"}, "data"),
        ("event.data", {"deadline": 5}, "data"),
        ("case_no", "AH08-20261124-0001", "case_no"),  # check letter missing
        ("unexpected", 1, "unexpected"),
    ],
)
def test_malformed_ops_are_422_with_the_field_named(
    client: TestClient,
    tokens: Credentials,
    ops: list[dict[str, Any]],
    path: str,
    value: Any,
    where: str,
) -> None:
    bad = _mutate(ops[0], path, value)
    response = client.post(PUSH_PATH, json={"ops": [bad]}, headers=tokens.headers(tokens.terminal))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(where in [str(part) for part in item["loc"]] for item in detail), detail
    # The input is never echoed back (it may be personal data).
    assert all(set(item) == {"loc", "msg", "type"} for item in detail)


def test_nan_and_bad_json_are_422(
    client: TestClient, tokens: Credentials, ops: list[dict[str, Any]]
) -> None:
    headers = {**tokens.headers(tokens.terminal), "content-type": "application/json"}
    body = json.dumps({"ops": [ops[0]]}).replace('"window": "08"', '"window": "08", "x": NaN')
    assert client.post(PUSH_PATH, content=body, headers=headers).status_code == 422
    nan_data = json.dumps({"ops": [_mutate(ops[0], "event.data", {"n": 1})]}).replace(
        '{"n": 1}', '{"n": NaN}'
    )
    assert client.post(PUSH_PATH, content=nan_data, headers=headers).status_code == 422
    assert client.post(PUSH_PATH, content=b"{not json", headers=headers).status_code == 422
    assert client.post(PUSH_PATH, content=b"\xff\xfe", headers=headers).status_code == 422
    assert client.post(PUSH_PATH, json={"ops": []}, headers=headers).status_code == 422
    assert client.post(PUSH_PATH, json=[1, 2], headers=headers).status_code == 422
    deep: Any = "x"
    for _level in range(40):
        deep = {"d": deep}
    too_deep = _mutate(ops[0], "event.data", deep)
    assert client.post(PUSH_PATH, json={"ops": [too_deep]}, headers=headers).status_code == 422


def test_too_many_ops_is_422_and_too_many_bytes_is_413(
    client: TestClient, tokens: Credentials, ops: list[dict[str, Any]]
) -> None:
    headers = tokens.headers(tokens.terminal)
    many = {"ops": [ops[0]] * (MAX_BATCH + 1)}
    # Larger than the test app's 256 KiB limit.
    response = client.post(PUSH_PATH, json=many, headers=headers)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]

    def chunks() -> Any:
        for _part in range(300):
            yield b" " * 1024

    streamed = client.post(
        PUSH_PATH, content=chunks(), headers={**headers, "content-type": "application/json"}
    )
    assert streamed.status_code == 413
    few_but_many = {"ops": [ops[0]] * (MAX_BATCH + 1)}
    small = json.dumps(few_but_many)
    assert len(small) > 256 * 1024  # sanity: this one is also a 413
    over = {"ops": [ops[0]] * 101}
    assert client.post(PUSH_PATH, json=over, headers=headers).status_code == 200


def test_pull_parameters_are_checked(client: TestClient, tokens: Credentials) -> None:
    headers = tokens.headers(tokens.terminal)
    assert client.get(PULL_PATH, headers=headers).status_code == 200
    assert client.get(PULL_PATH, params={"cursor": -1}, headers=headers).status_code == 422
    assert client.get(PULL_PATH, params={"limit": 0}, headers=headers).status_code == 422
    assert client.get(PULL_PATH, params={"cursor": "x"}, headers=headers).status_code == 422
    assert client.get(PULL_PATH, params={"cursor": 2**70}, headers=headers).status_code == 422
    assert client.get(PULL_PATH).status_code == 401
