"""An independent GeoReport v2 client (the ``georeport`` package from PyPI, which parses XML with
xmltodict and JSON with requests) reads services and requests from /open311/v2 over real HTTP,
in both formats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from georeport import GeoReport

from dnw_desk.contract.wire import PUSH_PATH
from dnw_desk.server import credentials
from tests.factories import desk_at, register
from tests.server.conftest import fresh_database
from tests.server.helpers import outbox_payloads
from tests.sync.conftest import LiveServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    db = fresh_database("sqlite", tmp_path)
    live = LiveServer(db)
    live.start()
    yield live
    live.stop()
    db.dispose()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_independent_client_reads_services_and_requests(
    server: LiveServer, data_dir: Path, fmt: str
) -> None:
    with server.db.write() as conn:
        _terminal, token = credentials.add_terminal(conn, "AH", "08", datetime.now(UTC))
    desk, _clock = desk_at(data_dir)
    case = register(desk).case
    pushed = httpx.post(
        server.url + PUSH_PATH,
        json={"ops": outbox_payloads(desk)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert pushed.status_code == 200
    desk.close()

    client = GeoReport(server.url + "/open311/v2", output_format=fmt)
    services = client.get_service_list()
    codes = {service["service_code"] for service in services}
    assert case.category in codes
    assert all(service["service_name"] for service in services)
    found = client.get_service_requests(
        start_date="2026-11-01T00:00:00+08:00", end_date="2026-12-01T00:00:00+08:00"
    )
    found = found if isinstance(found, list) else [found]  # xmltodict: one element, no list
    assert [request["service_request_id"] for request in found] == [case.number]
    one = client.get_service_request(case.number)
    assert one["service_request_id"] == case.number
    assert one["status"] == "open"
    assert one["service_code"] == case.category
