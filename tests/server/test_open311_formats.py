"""Open311 GeoReport v2 as the specification has it: XML (required) and JSON for every
resource, and the service discovery document."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from dnw_desk.contract.wire import PUSH_PATH
from tests.factories import desk_at, register
from tests.server.conftest import UNIT, Credentials
from tests.server.helpers import outbox_payloads

WINDOW = "start_date=2026-01-01T00:00:00%2B08:00&end_date=2027-01-01T00:00:00%2B08:00"


def _case(client: TestClient, tokens: Credentials, data_dir: Path) -> Any:
    desk, _clock = desk_at(data_dir)
    case = register(desk).case
    client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    desk.close()
    return case


def _xml(client: TestClient, url: str, status: int = 200) -> ET.Element:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def test_every_resource_answers_in_xml_as_the_specification_shows(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    case = _case(client, tokens, data_dir)
    services = _xml(client, "/open311/v2/services.xml")
    assert services.tag == "services"
    first = services.find("service")
    assert first is not None
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "false" and first.findtext("type") == "realtime"

    listed = _xml(client, f"/open311/v2/requests.xml?{WINDOW}")
    assert listed.tag == "service_requests"
    [request] = listed.findall("request")
    assert request.findtext("service_request_id") == case.number
    assert request.findtext("status") == "open"
    assert request.findtext("agency_responsible") == UNIT
    lat = request.find("lat")
    assert lat is not None and lat.text is None  # present and empty, as JSON null

    one = _xml(client, f"/open311/v2/requests/{case.number}.xml")
    assert one.findtext("request/service_request_id") == case.number
    # The same content as JSON.
    as_json = client.get(f"/open311/v2/requests/{case.number}.json").json()
    assert as_json[0]["service_request_id"] == case.number


def test_errors_come_in_the_format_asked_for(client: TestClient) -> None:
    errors = _xml(client, "/open311/v2/requests/AH08-20261124-0009X.xml", status=404)
    assert errors.tag == "errors" and errors.findtext("error/code") == "404"
    bad = _xml(client, "/open311/v2/requests.xml?start_date=yesterday", status=400)
    assert "W3C" in (bad.findtext("error/description") or "")
    assert client.get("/open311/v2/services.csv").status_code in (404, 422)


def test_the_discovery_document_lists_both_formats(client: TestClient) -> None:
    discovery = _xml(client, "/open311/v2/discovery.xml")
    endpoint = discovery.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url", "").endswith("/open311/v2")
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    as_json = client.get("/open311/v2/discovery.json").json()
    assert as_json["endpoints"][0]["formats"] == ["text/xml", "application/json"]
