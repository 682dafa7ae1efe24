"""A case with real-looking personal data, pushed to the server and answered by its unit with
the opinion text that once went out on Open311 (full-width digits, grouped numbers, a name, an
address and an e-mail address)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from dnw_desk.contract.wire import FEEDBACK_PATH, PUSH_PATH
from dnw_desk.domain.masking import contains_unmasked_pii
from tests.factories import desk_at, register
from tests.server.conftest import Credentials
from tests.server.helpers import feedback, outbox_payloads

NAME = "王小明"
ID_NUMBER = "340104199001011239"
PHONE = "13912345678"
ADDRESS = "合肥市蜀山区长江西路100号"
EMAIL = "wxm@example.com"
LEAKY_OPINION = (
    f"已电话联系投诉人{NAME}（１３９１２３４５６７８，身份证３４０１０４１９９００１０１１２３４），"
    f"住{ADDRESS}，邮箱 {EMAIL}，座机 (0551) 6234 5678，证件 3401 0419 9001 0112 39"
)
# What must never appear on a public surface, in a log line or in clear in the server database.
SECRETS = (NAME, ID_NUMBER, PHONE, ADDRESS, EMAIL, "长江西路", "小明")


@dataclass(frozen=True)
class PublishedCase:
    number: str
    verification_code: str


def publish_leaky_case(client: TestClient, tokens: Credentials, data_dir: Path) -> PublishedCase:
    desk, _clock = desk_at(data_dir)
    try:
        saved = register(
            desk,
            name=NAME,
            phone=PHONE,
            id_number=ID_NUMBER,
            description=f"{NAME}称住{ADDRESS}，电话１３９ １２３４ ５６７８，邮箱{EMAIL}",
        )
        pushed = client.post(
            PUSH_PATH,
            json={"ops": outbox_payloads(desk)},
            headers=tokens.headers(tokens.terminal),
        )
        assert pushed.status_code == 200, pushed.text
    finally:
        desk.close()
    opinion = feedback(saved.case.number, text=LEAKY_OPINION)
    posted = client.post(FEEDBACK_PATH, json=opinion, headers=tokens.headers(tokens.unit))
    assert posted.status_code == 201, posted.text
    return PublishedCase(saved.case.number, saved.case.verification_code)


def public_urls(case: PublishedCase) -> list[str]:
    code = case.verification_code
    return [
        f"/status/{case.number}?code={code}",
        f"/status/{case.number}?code={code}&lang=en",
        f"/status/lookup?number={case.number}&code={code}",
        f"/status/{case.number}?code=WRONG1",
        "/status",
        "/open311/v2/services.json",
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00%2B08:00"
        "&end_date=2027-01-01T00:00:00%2B08:00",
        f"/open311/v2/requests/{case.number}.json",
        f"/open311/v2/requests.json?service_request_id={case.number}",
        # The same in XML, the format GeoReport v2 requires, and the discovery document.
        f"/open311/v2/requests/{case.number}.xml",
        f"/open311/v2/requests.xml?service_request_id={case.number}",
        "/open311/v2/discovery.xml",
        "/openapi.json",
    ]


def personal_data_in(text: str) -> list[str]:
    """What the scanner finds, plus the scenario's own values it cannot recognise (names…)."""
    return contains_unmasked_pii(text) + [secret for secret in SECRETS if secret in text]


def scan_responses(client: TestClient, urls: list[str]) -> dict[str, list[str]]:
    leaks: dict[str, list[str]] = {}
    for url in urls:
        found = personal_data_in(client.get(url).text)
        if found:
            leaks[url] = found
    return leaks


def json_of(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()
