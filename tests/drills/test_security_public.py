"""Issue findings 1: public surfaces (status page, Open311) publish only structured,
non-personal fields — never a unit's free text, which no scrubber makes safe."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.drills.security_scenario import (
    LEAKY_OPINION,
    json_of,
    public_urls,
    publish_leaky_case,
    scan_responses,
)
from tests.server.conftest import Credentials, backend, client, server_db, tokens

__all__ = ["backend", "client", "server_db", "tokens"]


def test_no_public_response_carries_the_units_free_text(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    case = publish_leaky_case(client, tokens, data_dir)
    assert scan_responses(client, public_urls(case)) == {}
    [request] = json_of(client, f"/open311/v2/requests/{case.number}.json")
    # Structured fields only: the status and the kind of opinion, in words.
    assert request["status_notes"] == "已出具办理意见：已办理"
    assert LEAKY_OPINION[:6] not in str(request)
    assert request["agency_responsible"] == "省公安厅"
    assert request["service_code"] == "3"
