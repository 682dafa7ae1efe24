from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from dnw_desk.contract.wire import FEEDBACK_PATH, PULL_PATH, PUSH_PATH
from tests.factories import desk_at, register
from tests.server.conftest import UNIT, Credentials
from tests.server.helpers import feedback, outbox_payloads


def _pushed_case(
    client: TestClient, tokens: Credentials, data_dir: Path, count: int = 1
) -> list[str]:
    desk, _clock = desk_at(data_dir)
    numbers = [register(desk).case.number for _ in range(count)]
    response = client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    assert response.status_code == 200
    return numbers


def test_units_feedback_is_recorded_once_and_pulled_by_the_owning_window(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    [number] = _pushed_case(client, tokens, data_dir)
    unit = tokens.headers(tokens.unit)
    body = feedback(number, "unit_accepted")
    first = client.post(FEEDBACK_PATH, json=body, headers=unit)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "accepted"
    again = client.post(FEEDBACK_PATH, json=body, headers=unit)
    assert again.status_code == 200
    assert again.json()["result"]["outcome"] == "duplicate"
    opinion = client.post(FEEDBACK_PATH, json=feedback(number), headers=unit)
    assert opinion.status_code == 201
    assert opinion.json()["status"] == "opinion_given"

    page = client.get(PULL_PATH, headers=tokens.headers(tokens.terminal)).json()
    assert [e["event"]["type"] for e in page["events"]] == ["unit_accepted", "opinion_given"]
    assert all(e["event"]["data"]["unit"] == UNIT for e in page["events"])
    assert page["has_more"] is False
    assert page["next_cursor"] == page["events"][-1]["revision"]
    # Another window sees none of it.
    other = client.get(PULL_PATH, headers=tokens.headers(tokens.other_terminal)).json()
    assert other["events"] == []


def test_feedback_rules(client: TestClient, tokens: Credentials, data_dir: Path) -> None:
    [number] = _pushed_case(client, tokens, data_dir)
    unit = tokens.headers(tokens.unit)
    # Another unit may not answer for the lead unit; the platform may.
    assert (
        client.post(
            FEEDBACK_PATH, json=feedback(number), headers=tokens.headers(tokens.other_unit)
        ).status_code
        == 403
    )
    # Unknown case; a terminal token is not a unit credential.
    assert client.post(
        FEEDBACK_PATH, json=feedback("AH08-20261124-0099A"), headers=unit
    ).status_code in (404, 422)
    assert (
        client.post(
            FEEDBACK_PATH, json=feedback(number), headers=tokens.headers(tokens.terminal)
        ).status_code
        == 401
    )
    # Missing opinion text is a clear 422; an out-of-order step is a 409.
    response = client.post(FEEDBACK_PATH, json=feedback(number, text=""), headers=unit)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "text"]
    informed = client.post(
        FEEDBACK_PATH, json=feedback(number, "complainant_informed"), headers=unit
    )
    assert informed.status_code == 409
    assert informed.json()["result"]["code"] == "workflow"
    by_platform = client.post(
        FEEDBACK_PATH, json=feedback(number), headers=tokens.headers(tokens.platform)
    )
    assert by_platform.status_code == 201


def test_unknown_number_is_404(client: TestClient, tokens: Credentials, data_dir: Path) -> None:
    [number] = _pushed_case(client, tokens, data_dir)
    unknown = number[:-6] + "0099" + number[-1]
    response = client.post(
        FEEDBACK_PATH, json=feedback(unknown), headers=tokens.headers(tokens.unit)
    )
    assert response.status_code == 404


def test_pagination_across_equal_timestamps_loses_nothing(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    numbers = _pushed_case(client, tokens, data_dir, count=3)
    unit = tokens.headers(tokens.unit)
    posted = []
    for index in range(21):
        body = feedback(
            numbers[index % 3], "note", text=f"note {index}", at="2026-11-24T15:00:00+08:00"
        )
        assert client.post(FEEDBACK_PATH, json=body, headers=unit).status_code == 201
        posted.append(body["op_id"])
    seen: list[str] = []
    revisions: list[int] = []
    cursor = 0
    for _page in range(50):
        page = client.get(
            PULL_PATH,
            params={"cursor": cursor, "limit": 4},
            headers=tokens.headers(tokens.terminal),
        ).json()
        seen += [e["event"]["data"]["text"] for e in page["events"]]
        revisions += [e["revision"] for e in page["events"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(f"note {i}" for i in range(21))
    assert revisions == sorted(set(revisions))
