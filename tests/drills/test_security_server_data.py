"""Issue findings 4 and 5 on the server: personal data at rest is encrypted (the ID number not
kept at all), every column of the server's database passes the personal-data scanner after the
leaky scenario, and the retention purge erases what the server kept."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dnw_desk.contract.wire import PULL_PATH, PUSH_PATH
from dnw_desk.domain.case import EventType
from dnw_desk.server.cli import main as server_main
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.retention import purge_server
from dnw_desk.server.sealing import KeyMissing, Sealer, current_sealer, sealer_for
from dnw_desk.server.tables import case_events, cases, metadata
from tests.drills.security_scenario import (
    ADDRESS,
    ID_NUMBER,
    LEAKY_OPINION,
    NAME,
    PHONE,
    personal_data_in,
    publish_leaky_case,
)
from tests.factories import CLERK, desk_at, register
from tests.server.conftest import Credentials, backend, client, server_db, tokens
from tests.server.helpers import outbox_payloads

__all__ = ["backend", "client", "server_db", "tokens"]
HEX_TOKEN = re.compile(r'"[0-9a-f-]{32,64}"')


def _cells(db: ServerDatabase) -> list[tuple[str, str, str]]:
    found = []
    with db.read() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    text = json.dumps(value, ensure_ascii=False, default=str)
                    # Ids and digests, alone or inside a stored result: random hex can hold a
                    # phone-like run of digits (an op id ending in -080041982531).
                    text = HEX_TOKEN.sub('""', text)
                    found.append((table.name, column, text))
    return found


def _leaks(db: ServerDatabase) -> list[tuple[str, str, list[str]]]:
    return [
        (table, column, personal_data_in(text))
        for table, column, text in _cells(db)
        if personal_data_in(text)
    ]


def test_no_column_of_the_server_database_holds_personal_data_in_clear(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    publish_leaky_case(client, tokens, data_dir)
    assert _leaks(server_db) == []


def test_the_server_still_serves_what_it_keeps_to_those_entitled(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    publish_leaky_case(client, tokens, data_dir)
    pulled = client.get(PULL_PATH, headers=tokens.headers(tokens.terminal)).json()
    [opinion] = [e for e in pulled["events"] if e["event"]["type"] == "opinion_given"]
    assert opinion["event"]["data"]["text"] == LEAKY_OPINION  # the window reads it in full
    with server_db.read() as conn:
        stored = conn.execute(
            select(case_events.c.data).where(case_events.c.type == "registered")
        ).scalar_one()
    registration = current_sealer().open(stored)
    # Units call complainants back: name and phone are kept (encrypted); the ID number is not.
    assert registration["complainant"]["name"] == NAME
    assert registration["complainant"]["phone"].endswith(PHONE)
    assert registration["complainant"]["id_number"] == ""
    assert "derived" not in registration
    assert ADDRESS in registration["matter"]["description"]
    # Another key cannot read it.
    other = Sealer([b"Y2hhbmdlLW1lLW5vdC1hLXJlYWwta2V5LTMyYnl0ZXM="])
    with pytest.raises(KeyMissing):
        other.open(stored)


def test_the_server_refuses_to_run_without_its_data_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DNW_DATA_KEY")
    monkeypatch.delenv("DNW_DATABASE_URL", raising=False)
    monkeypatch.setenv("DNW_SERVER_DATA_DIR", str(tmp_path / "server"))
    with pytest.raises(KeyMissing):
        sealer_for(Settings())
    assert server_main(["init"]) == 0  # writes the key file, readable by its owner only
    key = tmp_path / "server" / "data.key"
    assert key.stat().st_mode & 0o077 == 0
    sealer_for(Settings())


def _closed_case_on_the_server(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> tuple[str, Any]:
    desk, clock = desk_at(data_dir)
    saved = register(desk, name=NAME, phone=PHONE, id_number=ID_NUMBER)
    for event_type, data in [
        (EventType.OPINION_GIVEN, {"kind": "handled", "text": f"已联系{NAME}", "unit": "省公安厅"}),
        (EventType.COMPLAINANT_INFORMED, {"channel": "phone", "note": f"打了{PHONE}"}),
        (EventType.WINDOW_INFORMED, {}),
        (EventType.CLOSED, {}),
    ]:
        desk.cases.record(saved.case.id, event_type, CLERK, data)
    pushed = client.post(
        PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=tokens.headers(tokens.terminal)
    )
    assert pushed.status_code == 200, pushed.text
    now = clock()
    desk.close()
    return saved.case.number, now


def test_retention_purge_on_the_server(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    number, closed = _closed_case_on_the_server(client, tokens, data_dir)
    assert purge_server(server_db, 365, closed + timedelta(days=364)).count == 0
    later = closed + timedelta(days=366)
    assert purge_server(server_db, 365, later, dry_run=True).numbers == (number,)
    assert purge_server(server_db, 365, later).numbers == (number,)
    assert purge_server(server_db, 365, later).count == 0  # idempotent
    sealer = current_sealer()
    with server_db.read() as conn:
        row = conn.execute(select(cases).where(cases.c.number == number)).one()
        events = [
            sealer.open(data)
            for data in conn.execute(
                select(case_events.c.data).where(case_events.c.case_id == row.id)
            ).scalars()
        ]
    assert row.pii_purged_at == later and row.status == "closed"
    opened = json.dumps(events, ensure_ascii=False)
    for secret in (NAME, PHONE, ID_NUMBER, "小明"):
        assert secret not in opened
    assert row.lead_unit == "省公安厅" and row.category == "3"


def test_server_privacy_purge_command(
    client: TestClient,
    tokens: Credentials,
    server_db: ServerDatabase,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number, _closed = _closed_case_on_the_server(client, tokens, data_dir)
    monkeypatch.setenv("DNW_DATABASE_URL", server_db.url)
    monkeypatch.setenv("DNW_RETENTION_DAYS", "0")
    assert server_main(["privacy", "purge", "--dry-run"]) == 0
    assert capsys.readouterr().out.split() == [number]
    assert server_main(["privacy", "purge"]) == 0
    assert capsys.readouterr().out.split() == [number]
    assert server_main(["privacy", "purge", "--dry-run"]) == 0
    assert capsys.readouterr().out.split() == []


def test_init_encrypts_what_an_older_version_stored_in_clear(
    client: TestClient,
    tokens: Credentials,
    server_db: ServerDatabase,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publish_leaky_case(client, tokens, data_dir)
    sealer = current_sealer()
    with server_db.write() as conn:  # as the version before stored them
        for row in conn.execute(select(case_events.c.id, case_events.c.data)).all():
            opened = sealer.open(row.data)
            conn.execute(case_events.update().where(case_events.c.id == row.id).values(data=opened))
    assert _leaks(server_db) != []
    monkeypatch.setenv("DNW_DATABASE_URL", server_db.url)
    assert server_main(["init"]) == 0
    assert _leaks(server_db) == []
    assert server_main(["init"]) == 0  # nothing left to seal
