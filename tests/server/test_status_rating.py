"""一事一评 on the status page: offered only after the unit's feedback, applied once per case and
round whatever is submitted again, refused before the feedback without using up the rating,
and pulled by the owning desk as a rating event (channel 线上评价)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dnw_desk.contract.wire import FEEDBACK_PATH, PULL_PATH, PUSH_PATH
from dnw_desk.domain.masking import contains_unmasked_pii
from tests.factories import desk_at, register
from tests.server.conftest import Credentials
from tests.server.helpers import feedback, outbox_payloads


@pytest.fixture
def case(client: TestClient, tokens: Credentials, data_dir: Path) -> Any:
    desk, _clock = desk_at(data_dir)
    saved = register(desk, name="张三丰")
    client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    desk.close()
    return saved.case


def _post(client: TestClient, tokens: Credentials, case: Any, kind: str, **data: Any) -> None:
    body = feedback(case.number, kind, **data)
    answer = client.post(FEEDBACK_PATH, json=body, headers=tokens.headers(tokens.unit))
    assert answer.status_code == 201, answer.text


def _rate(client: TestClient, case: Any, level: str, comment: str = "") -> Any:
    form = {"level": level, "comment": comment, "code": case.verification_code, "lang": ""}
    return client.post(f"/status/{case.number}/rating", data=form)


def test_the_status_page_rating_is_applied_once_and_reaches_the_desk(
    client: TestClient, tokens: Credentials, case: Any
) -> None:
    page = client.get(f"/status/{case.number}", params={"code": case.verification_code}).text
    assert 'name="level"' not in page  # not answered yet: no rating offered
    early = _rate(client, case, "very_satisfied")
    assert early.status_code == 409  # refused, and the rating is not used up
    _post(client, tokens, case, "opinion_given")
    _post(client, tokens, case, "complainant_informed")
    _post(client, tokens, case, "window_informed")
    page = client.get(f"/status/{case.number}", params={"code": case.verification_code}).text
    assert page.count('name="level"') == 5 and "非常不满意" in page
    assert contains_unmasked_pii(page) == [] and "三丰" not in page
    wrong = client.post(
        f"/status/{case.number}/rating", data={"level": "satisfied", "code": "WRONG1"}
    )
    assert wrong.status_code == 404
    rated = _rate(client, case, "unsatisfied", "答复 没有解决问题")
    assert rated.status_code == 201 and "感谢" in rated.text
    again = _rate(client, case, "very_satisfied")
    assert again.status_code == 409  # once per case and round
    page = client.get(f"/status/{case.number}", params={"code": case.verification_code}).text
    assert 'name="level"' not in page
    pulled = client.get(PULL_PATH, headers=tokens.headers(tokens.terminal)).json()
    ratings = [e for e in pulled["events"] if e["event"]["type"] == "rating"]
    assert len(ratings) == 1 and ratings[0]["origin"] == "public"
    assert ratings[0]["event"]["data"] == {
        "satisfaction": "unsatisfied",
        "stage": "feedback",
        "channel": "status_page",
        "comment": "答复 没有解决问题",
    }
