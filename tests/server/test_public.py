"""The status page and Open311: no personal data, the same page for wrong code and unknown
number, a bounded rate per client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dnw_desk.contract.wire import FEEDBACK_PATH, PUSH_PATH
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.server.app import create_app
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from tests.factories import VALID_ID, desk_at, register, register_refused
from tests.server.conftest import UNIT, Credentials
from tests.server.helpers import feedback, outbox_payloads

LANDLINE = "055162345678"


@pytest.fixture
def case(client: TestClient, tokens: Credentials, data_dir: Path) -> Any:
    desk, _clock = desk_at(data_dir)
    saved = register(desk, id_number=VALID_ID, name="张三丰")
    client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    opinion = feedback(
        saved.case.number, text="已联系申请人13812345678（身份证110105199003070017），已办结"
    )
    assert (
        client.post(FEEDBACK_PATH, json=opinion, headers=tokens.headers(tokens.unit)).status_code
        == 201
    )
    return saved.case


def _public_texts(client: TestClient, case: Any) -> list[tuple[str, str]]:
    code = case.verification_code
    urls = [
        f"/status/{case.number}?code={code}",
        f"/status/{case.number}?code={code}&lang=en",
        f"/status/lookup?number={case.number}&code={code}",
        f"/status/{case.number}?code=WRONG1",
        "/status",
        "/open311/v2/services.json",
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00%2B08:00&end_date=2027-01-01T00:00:00%2B08:00",
        f"/open311/v2/requests/{case.number}.json",
        "/openapi.json",
    ]
    return [(url, client.get(url).text) for url in urls]


def test_no_public_response_carries_personal_data(client: TestClient, case: Any) -> None:
    for url, text in _public_texts(client, case):
        assert contains_unmasked_pii(text) == [], url
        assert "张三丰" not in text and "三丰" not in text, url


def test_status_page_shows_progress_in_chinese_and_english(client: TestClient, case: Any) -> None:
    page = client.get(f"/status/{case.number}", params={"code": case.verification_code})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert case.number in text and UNIT in text
    assert 'lang="zh-CN"' in text and 'name="viewport"' in text
    assert "2026-11-25 17:30" in text  # the deadline, in hall time
    english = client.get(
        f"/status/{case.number}", params={"code": case.verification_code.lower(), "lang": "en"}
    ).text
    assert 'lang="en"' in english and "Handling opinion given" in english


def test_wrong_code_and_unknown_number_give_the_same_page(client: TestClient, case: Any) -> None:
    wrong = client.get(f"/status/{case.number}", params={"code": "ABCDEF"})
    unknown = client.get("/status/AH08-20261124-0002B", params={"code": case.verification_code})
    garbage = client.get("/status/<script>", params={"code": "x"})
    assert wrong.status_code == unknown.status_code == garbage.status_code == 404
    assert wrong.text == unknown.text == garbage.text
    assert case.number not in wrong.text


def test_status_lookups_are_rate_limited_per_client(server_db: ServerDatabase, case: Any) -> None:
    app = create_app(Settings(status_burst=5, status_rate_per_minute=1), db=server_db)
    with TestClient(app) as limited:
        codes = [
            limited.get(f"/status/{case.number}", params={"code": "WRONG1"}).status_code
            for _ in range(8)
        ]
    assert codes[:5] == [404] * 5
    assert codes[5:] == [429] * 3


def test_open311_views(client: TestClient, case: Any) -> None:
    services = client.get("/open311/v2/services.json").json()
    assert {"service_code", "service_name"} <= set(services[0])
    requests = client.get(
        "/open311/v2/requests.json",
        params={"start_date": "2026-11-24T00:00:00+08:00", "end_date": "2026-11-25T00:00:00+08:00"},
    ).json()
    [request] = requests
    assert request["service_request_id"] == case.number
    assert request["agency_responsible"] == UNIT
    assert request["expected_datetime"] == "2026-11-25T17:30:00+08:00"
    assert request["status"] == "open"
    # The kind of opinion in words, never the unit's free text.
    assert request["status_notes"] == "已出具办理意见：已办理"
    closed = client.get(
        "/open311/v2/requests.json",
        params={"start_date": "2026-11-24T00:00:00+08:00", "status": "closed"},
    ).json()
    assert closed == []
    assert (
        client.get("/open311/v2/requests.json", params={"start_date": "yesterday"}).status_code
        == 400
    )
    assert client.get("/open311/v2/requests.json", params={"status": "pending"}).status_code == 400
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404
    one = client.get(f"/open311/v2/requests/{case.number}.json").json()
    assert one[0]["service_request_id"] == case.number


def test_the_lookup_form_shows_no_other_hall_s_number(client: TestClient) -> None:
    """Issue 11, defect 27: the placeholder was another hall's example number."""
    import re

    page = client.get("/status").text
    placeholder = re.search(r'name="number"[^>]*placeholder="([^"]*)"', page)
    assert placeholder is not None and placeholder.group(1) == "见回执上的受理编号"
    assert re.search(r"[A-Z]{2}\d{2}-\d{8}-\d{4}", page) is None


def test_a_case_not_accepted_names_no_unit_to_come(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    """It said "not yet assigned", as if a unit would follow; a case not accepted has none."""
    desk, _clock = desk_at(data_dir)
    refused = register_refused(desk).case
    pushed = client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    assert pushed.status_code == 200
    page = client.get(f"/status/{refused.number}", params={"code": refused.verification_code})
    assert page.status_code == 200
    assert "不予受理" in page.text and "尚未指定" not in page.text
