from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.cli import main
from dnw_desk.domain.case import EventType
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.coverage import EVENT_COLUMNS, RECORDED_CASE_COLUMNS, row_hash
from dnw_desk.store.database import DB_FILENAME
from dnw_desk.store.tables import audit_log, case_events, cases
from tests.factories import CLERK, desk_at, register

TAMPERINGS = [
    "UPDATE audit_log SET actor = 'clerk:mallory' WHERE id = {id}",
    'UPDATE audit_log SET detail = \'{{"number": "X"}}\' WHERE id = {id}',
    "UPDATE audit_log SET at = '2020-01-01T00:00:00.000000+00:00' WHERE id = {id}",
    "UPDATE audit_log SET action = 'case.note' WHERE id = {id}",
    "UPDATE audit_log SET case_id = NULL WHERE id = {id}",
    "UPDATE audit_log SET hash = zeroblob(32) WHERE id = {id}",
    "DELETE FROM audit_log WHERE id = {id}",
]


@pytest.fixture
def audited(data_dir: Path) -> Path:
    desk, clock = desk_at(data_dir)
    for _ in range(3):
        register(desk)
        clock.advance(minutes=5)
    with desk.db.read() as conn:
        assert verify_chain(conn).entries == 6
    desk.close()
    return data_dir


@pytest.mark.parametrize("statement", TAMPERINGS)
@pytest.mark.parametrize("entry", [1, 3, 5])
def test_tampering_with_any_row_is_detected(
    audited: Path, statement: str, entry: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(audited / DB_FILENAME) as conn:
        conn.execute(statement.format(id=entry))
    assert main(["--data-dir", str(audited), "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN" in out
    assert f"entry {entry}" in out or f"entry {entry + 1}" in out


def test_untouched_chain_verifies(audited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(audited), "audit", "verify"]) == 0
    assert "6 entries" in capsys.readouterr().out


def test_rows_hashed_as_inserted_match_the_rows_as_stored(data_dir: Path) -> None:
    """A registration hashes its case and event rows from the values it inserts (not read
    back): what it records must be what a read of the stored rows hashes to — a name outside
    the Basic Multilingual Plane, times in hall time, column defaults and all."""
    desk, _clock = desk_at(data_dir)
    saved = register(desk, name="𠮷野")
    desk.cases.record(saved.case.id, EventType.NOTE, CLERK, {"text": "补充", "files": []})
    recorded: dict[str, dict[str, str]] = {"e": {}, "c": {}}
    with desk.db.read() as conn:
        for (detail,) in conn.execute(select(audit_log.c.detail).order_by(audit_log.c.id)):
            for kind in ("e", "c"):
                recorded[kind].update(detail.get("rows", {}).get(kind, {}))
        stored_events = {
            row.id: row_hash(row._mapping, EVENT_COLUMNS)
            for row in conn.execute(select(case_events))
        }
        stored_cases = {
            row.id: row_hash(row._mapping, RECORDED_CASE_COLUMNS)
            for row in conn.execute(select(cases))
        }
    assert recorded["e"] == stored_events and len(stored_events) == 3
    assert recorded["c"] == stored_cases
    desk.close()
