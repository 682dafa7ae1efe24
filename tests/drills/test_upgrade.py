"""The upgrade drill: a database written by the first schema revision, and one written by the
0009 release, upgrade at start-up with every case, event, waiting op and audit entry intact and
the audit chain still valid (audit entries in the form revision 0012 stores: each hash once, as
bytes)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import select

from dnw_desk.domain.case import EventType, fold
from dnw_desk.services.desk import Desk, open_desk
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.coverage import Coverage, verify_rows
from dnw_desk.store.database import AUTO_VACUUM_INCREMENTAL, DB_FILENAME
from dnw_desk.store.outbox_queries import pending_ops
from dnw_desk.store.schema import HEAD_REVISION, stored_revision
from dnw_desk.store.tables import audit_log, case_events, cases
from tests.factories import CLERK

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "desk-rev0001.sqlite3"
FIXTURE_0009 = FIXTURES / "desk-rev0009.sqlite3"
TABLES = ("cases", "case_events", "audit_log", "daily_counters")


def _snapshot(path: Path, tables: tuple[str, ...] = TABLES) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in tables
        }
    finally:
        conn.close()


def _audit_as_stored_now(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """An older file's audit rows as revision 0012 keeps them: each links to the entry before
    by that entry's hash (so ``prev_hash`` goes), and the hash is its 32 bytes."""
    previous = "0" * 64
    converted = []
    for *row, prev_hash, digest in rows:
        assert prev_hash == previous  # the dropped column said nothing the chain does not
        assert isinstance(digest, str)
        converted.append((*row, bytes.fromhex(digest)))
        previous = digest
    return converted


def _waiting_ops(path: Path) -> list[tuple[str, dict[str, object]]]:
    """The ops an older file's outbox still had to send, with the payload it kept for each."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT op_id, payload FROM outbox WHERE sent_at IS NULL ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [(op_id, json.loads(payload)) for op_id, payload in rows]


def _assert_outbox_converted(desk: Desk, waiting: list[tuple[str, dict[str, object]]]) -> None:
    """The same ops wait, in the same order, and would send the very payloads kept before."""
    with desk.db.read() as conn:
        ops = pending_ops(conn, 10_000)
        assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == AUTO_VACUUM_INCREMENTAL
    assert [(op.op_id, op.payload) for op in ops] == waiting


def test_first_revision_database_upgrades_intact(data_dir: Path) -> None:
    assert stored_revision(FIXTURE) == "0001"
    shutil.copyfile(FIXTURE, data_dir / DB_FILENAME)
    before = _snapshot(data_dir / DB_FILENAME)
    waiting = _waiting_ops(data_dir / DB_FILENAME)

    desk = open_desk(data_dir)
    assert stored_revision(desk.db.path) == HEAD_REVISION
    backups = list((data_dir / "backups").glob("*before-upgrade-from-0001*"))
    assert len(backups) == 1 and _snapshot(backups[0]) == before
    _assert_outbox_converted(desk, waiting)
    after = _snapshot(desk.db.path)
    before["audit_log"] = _audit_as_stored_now(before["audit_log"])
    # Columns added by later revisions come after the original ones (cached folds, e.g. what
    # a case waits for from the window): the original columns stay byte for byte.
    width = len(before["cases"][0])
    after["cases"] = [row[:width] for row in after["cases"]]
    baseline = after["audit_log"][len(before["audit_log"]) :]
    after["audit_log"] = after["audit_log"][: len(before["audit_log"])]
    assert after == before  # every row of every table, byte for byte
    # Appended: the baseline that covers the rows written before entries recorded their hashes.
    assert [entry[3] for entry in baseline] == ["audit.baseline"]
    with desk.db.read() as conn:
        covered = Coverage({}, {})
        assert verify_chain(conn, covered).ok
        assert verify_rows(conn, covered) == []
        for row in cases_repo.list_cases(conn):
            assert fold(cases_repo.load_events(conn, row.id)).status.value == row.status

    # The upgraded desk goes on working: the chain and the day's numbering continue.
    with desk.db.read() as conn:
        first = conn.execute(select(cases.c.id).order_by(cases.c.registered_at)).scalars().first()
        entries = len(conn.execute(select(audit_log.c.id)).all())
        events = len(conn.execute(select(case_events.c.id)).all())
    assert first is not None
    desk.cases.record(first, EventType.NOTE, CLERK, {"text": "升级后补记"})
    with desk.db.read() as conn:
        covered = Coverage({}, {})
        assert verify_chain(conn, covered).entries == entries + 1
        assert verify_rows(conn, covered) == []
        assert len(conn.execute(select(case_events.c.id)).all()) == events + 1


def test_a_0009_release_database_converts_in_place_and_loses_nothing(data_dir: Path) -> None:
    """Outbox rows become references to their events (answered ops go, the refused one stays
    in the conflicts list), the file turns to incremental vacuum, and nothing else changes."""
    assert stored_revision(FIXTURE_0009) == "0009"
    shutil.copyfile(FIXTURE_0009, data_dir / DB_FILENAME)
    tables = (*TABLES, "sync_conflicts", "sync_state")
    before = _snapshot(data_dir / DB_FILENAME, tables)
    waiting = _waiting_ops(data_dir / DB_FILENAME)
    assert len(waiting) == 8 and len(before["sync_conflicts"]) == 1

    desk = open_desk(data_dir)
    assert stored_revision(desk.db.path) == HEAD_REVISION
    backups = list((data_dir / "backups").glob("*before-upgrade-from-0009*"))
    assert len(backups) == 1 and _snapshot(backups[0], tables) == before
    assert _waiting_ops(backups[0]) == waiting
    before["audit_log"] = _audit_as_stored_now(before["audit_log"])
    assert _snapshot(desk.db.path, tables) == before  # every row, byte for byte
    _assert_outbox_converted(desk, waiting)
    with desk.db.read() as conn:
        covered = Coverage({}, {})
        assert verify_chain(conn, covered).ok
        assert verify_rows(conn, covered) == []
        first = conn.execute(select(cases.c.id).order_by(cases.c.registered_at)).scalars().first()
    assert first is not None

    # The converted desk goes on: a new step waits behind the old ones.
    desk.cases.record(first, EventType.NOTE, CLERK, {"text": "升级后补记"})
    with desk.db.read() as conn:
        ops = pending_ops(conn, 10_000)
        covered = Coverage({}, {})
        assert verify_chain(conn, covered).ok and verify_rows(conn, covered) == []
    assert [op.op_id for op in ops[:-1]] == [op_id for op_id, _payload in waiting]
    assert ops[-1].payload["event"]["data"] == {"text": "升级后补记"}
    desk.close()
