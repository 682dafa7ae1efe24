"""A unit credential acts only on cases of the halls it was issued for: every city has a
市场监管局, and a credential bound to a name alone could post on any hall's case referred to a
unit of that name (reproduced here on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update

from dnw_desk.contract.wire import FEEDBACK_PATH, PUSH_PATH
from dnw_desk.server import credentials
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.tables import unit_credentials
from tests.factories import desk_at, register
from tests.server.conftest import UNIT, Credentials
from tests.server.helpers import feedback, outbox_payloads


def _pushed(client: TestClient, tokens: Credentials, data_dir: Path) -> str:
    desk, _clock = desk_at(data_dir)  # hall AH, window 08; referred to 省公安厅
    number = register(desk).case.number
    pushed = client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    assert pushed.status_code == 200
    desk.close()
    return str(number)


def _unit_token(db: ServerDatabase, *halls: str) -> tuple[int, str]:
    with db.write() as conn:
        record, token = credentials.add_unit(conn, UNIT, datetime.now(UTC), halls=halls)
    return record.id, token


def test_a_unit_of_the_same_name_in_another_hall_gets_nothing(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    number = _pushed(client, tokens, data_dir)
    _id, other_city = _unit_token(server_db, "HF")  # 合肥's 省公安厅 credential, same name
    refused = client.post(FEEDBACK_PATH, json=feedback(number), headers=tokens.headers(other_city))
    assert refused.status_code == 403
    assert "hall AH" in refused.text and "HF" in refused.text
    # Another credential of the AH unit works: the unit, not the credential, is bound.
    _id, same_unit = _unit_token(server_db, "AH")
    accepted = client.post(FEEDBACK_PATH, json=feedback(number), headers=tokens.headers(same_unit))
    assert accepted.status_code == 201, accepted.text


def test_a_credential_from_before_hall_binding_is_refused_with_what_to_do(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    number = _pushed(client, tokens, data_dir)
    legacy_id, legacy = _unit_token(server_db, "AH")
    with server_db.write() as conn:  # as an older server stored it: bound to no unit
        conn.execute(
            update(unit_credentials).where(unit_credentials.c.id == legacy_id).values(unit_id=None)
        )
    refused = client.post(FEEDBACK_PATH, json=feedback(number), headers=tokens.headers(legacy))
    assert refused.status_code == 403
    assert "--hall" in refused.text
