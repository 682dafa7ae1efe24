"""A server with a settable clock, a case pushed by a desk of hall AH, and portal logins: the
liaison of that hall's 省公安厅, of another unit, of the 省公安厅 of another hall, the office."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dnw_desk.clock import HALL_TZ
from dnw_desk.contract.wire import PUSH_PATH
from dnw_desk.server import credentials, people
from dnw_desk.server.app import create_app
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from tests.factories import desk_at, register
from tests.server.conftest import UNIT
from tests.server.helpers import outbox_payloads

PASSWORD = "correct horse battery"
START = datetime(2026, 11, 24, 14, 0, tzinfo=HALL_TZ)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Portal:
    client: TestClient
    clock: Clock
    db: ServerDatabase
    number: str
    terminal: str
    office_token: str
    unit_token: str

    def login(self, login: str, password: str = PASSWORD) -> TestClient:
        form = self.client.get("/portal/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        return self.client.post(
            "/portal/login",
            data={"login": login, "password": password, "csrf": token.group(1)},
            follow_redirects=False,
        )

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get(path).text)
        assert found is not None
        return found.group(1)

    def logout(self) -> None:
        self.client.cookies.clear()


def add_people(db: ServerDatabase, now: datetime) -> tuple[str, str]:
    with db.write() as conn:
        _lead, unit_token = credentials.add_unit(conn, UNIT, now, halls=["AH"])
        other, _t = credentials.add_unit(conn, "省教育厅", now, halls=["AH"])
        elsewhere, _t = credentials.add_unit(conn, UNIT, now, halls=["HF"])
        for login, unit_id in (
            ("liaison", _lead.unit_id),
            ("other", other.unit_id),
            ("elsewhere", elsewhere.unit_id),
        ):
            people.add_person(
                conn, login, PASSWORD, people.Role.UNIT, now, name="李联络", unit_id=unit_id
            )
        people.add_person(conn, "office", PASSWORD, people.Role.OFFICE, now, name="效能办")
        people.add_person(conn, "office-hf", PASSWORD, people.Role.OFFICE, now, hall="HF")
        _office, office_token = credentials.add_office(conn, "省效能办", now)
    return office_token, unit_token


@pytest.fixture
def portal(server_db: ServerDatabase, tmp_path: Path) -> Iterator[Portal]:
    clock = Clock(START)
    with server_db.write() as conn:
        _terminal, terminal = credentials.add_terminal(conn, "AH", "08", START)
    office_token, unit_token = add_people(server_db, START)
    app = create_app(
        Settings(max_body_bytes=256 * 1024, status_burst=1000), db=server_db, clock=clock
    )
    with TestClient(app, base_url="https://testserver") as client:
        desk, _desk_clock = desk_at(tmp_path / "desk")
        number = str(register(desk).case.number)
        pushed = client.post(
            PUSH_PATH,
            json={"ops": outbox_payloads(desk)},
            headers={"Authorization": f"Bearer {terminal}"},
        )
        assert pushed.status_code == 200, pushed.text
        desk.close()
        yield Portal(client, clock, server_db, number, terminal, office_token, unit_token)


from tests.sync.conftest import enrolled_desk, live_server, server_tokens  # noqa: E402,F401
