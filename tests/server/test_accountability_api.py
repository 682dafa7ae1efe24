"""The server's side of the event table: units post only their own steps (403 with a reason
otherwise), co-units post their part, a unit cannot pass its step off as the window's, and an
event type the server does not know is refused with its own reason."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient

from dnw_desk.contract.wire import FEEDBACK_PATH, PULL_PATH, PUSH_PATH, UNKNOWN_EVENT_TYPE
from tests.factories import desk_at, register
from tests.server.conftest import Credentials
from tests.server.helpers import feedback, outbox_payloads

CO_UNIT = "省教育厅"  # the ``other_unit`` credential


def _pushed(client: TestClient, tokens: Credentials, data_dir: Path) -> str:
    desk, _clock = desk_at(data_dir)
    number = register(desk, co_units=(CO_UNIT,)).case.number
    response = client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    assert response.status_code == 200
    assert {r["outcome"] for r in response.json()["results"]} == {"applied"}
    desk.close()
    return number


def test_a_unit_may_not_decide_for_the_window(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    number = _pushed(client, tokens, data_dir)
    unit = tokens.headers(tokens.unit)
    for kind, data, reason in (
        ("return_reviewed", {"decision": "accepted"}, "may not decide its own return"),
        ("extension_decided", {"decision": "accepted"}, "may not grant itself an extension"),
        ("appeal_decided", {"decision": "accepted"}, "may not decide its own appeal"),
        ("level_crossed", {"level": "overdue"}, "the window does"),
        ("closed", {}, "the window does"),
    ):
        response = client.post(FEEDBACK_PATH, json=feedback(number, kind, **data), headers=unit)
        assert response.status_code == 403, kind
        assert reason in response.json()["detail"], kind


def test_the_lead_unit_requests_an_extension_and_a_co_unit_gives_its_part(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    number = _pushed(client, tokens, data_dir)
    request = feedback(
        number,
        "extension_requested",
        reason="需现场核查",
        deadline="2026-11-27T17:30:00+08:00",
        recorded_by_window=True,  # a unit cannot pass its step off as the window's
    )
    lead = client.post(FEEDBACK_PATH, json=request, headers=tokens.headers(tokens.unit))
    assert lead.status_code == 201, lead.text
    # The co-unit posts its part; the lead unit may not post as a co-unit.
    part = feedback(number, "co_unit_opinion", text="协办意见")
    assert (
        client.post(FEEDBACK_PATH, json=part, headers=tokens.headers(tokens.unit)).status_code
        == 403
    )
    co = client.post(
        FEEDBACK_PATH,
        json=feedback(number, "co_unit_opinion", text="协办意见"),
        headers=tokens.headers(tokens.other_unit),
    )
    assert co.status_code == 201, co.text
    # The co-unit may not answer as the lead unit.
    assert (
        client.post(
            FEEDBACK_PATH, json=feedback(number), headers=tokens.headers(tokens.other_unit)
        ).status_code
        == 403
    )
    page = client.get(PULL_PATH, headers=tokens.headers(tokens.terminal)).json()
    pulled = {e["event"]["type"]: e["event"]["data"] for e in page["events"]}
    assert "recorded_by_window" not in pulled["extension_requested"]
    assert pulled["co_unit_opinion"]["unit"] == CO_UNIT


def test_an_unknown_event_type_is_refused_with_its_own_reason(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    ops = outbox_payloads(desk)
    desk.close()
    newer = {**ops[-1], "op_id": str(uuid.uuid4()), "seq": 99}
    newer["event"] = {**newer["event"], "id": str(uuid.uuid4()), "type": "wechat_sent"}
    response = client.post(
        PUSH_PATH, json={"ops": [*ops, newer]}, headers=tokens.headers(tokens.terminal)
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == UNKNOWN_EVENT_TYPE
    assert "upgrade the server first" in error["msg"] and "wechat_sent" in error["msg"]
    unit = client.post(
        FEEDBACK_PATH,
        json=feedback("AH08-20261124-0001K", "wechat_sent"),
        headers=tokens.headers(tokens.unit),
    )
    assert unit.status_code == 422
    assert unit.json()["detail"][0]["type"] == UNKNOWN_EVENT_TYPE
