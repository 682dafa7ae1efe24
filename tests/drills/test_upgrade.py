"""The upgrade drill: a database written by the first schema revision, and one written by the
0009 release, upgrade at start-up with every case, event, waiting op and audit entry intact and
the audit chain still valid, in the form the current revision stores them (0012: each audit hash
once, as bytes; 0013: JSON compact and in UTF-8, no copy of the registration in the case row)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, select

from dnw_desk.contract.sqltypes import stored_json
from dnw_desk.domain import complainant_search
from dnw_desk.domain.case import EventType, fold
from dnw_desk.services.desk import Desk, open_desk
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.coverage import Coverage, verify_rows
from dnw_desk.store.database import AUTO_VACUUM_INCREMENTAL, DB_FILENAME
from dnw_desk.store.instance import HEAD_REVISION
from dnw_desk.store.outbox_queries import pending_ops
from dnw_desk.store.schema import stored_revision
from dnw_desk.store.tables import audit_log, case_events, cases
from tests.factories import CLERK

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "desk-rev0001.sqlite3"
FIXTURE_0009 = FIXTURES / "desk-rev0009.sqlite3"
FIXTURE_0012 = FIXTURES / "desk-rev0012.sqlite3"
TABLES = ("cases", "case_events", "audit_log", "daily_counters")


Row = dict[str, object]


def _snapshot(path: Path, tables: tuple[str, ...] = TABLES) -> dict[str, list[Row]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {
            table: [dict(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
            for table in tables
        }
    finally:
        conn.close()


def _as_stored_now(before: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """An older file's rows as the current revision keeps them, every value the same:
    - 0012: each audit entry links to the one before by that entry's hash (so ``prev_hash``
      goes), and the hash is its 32 bytes;
    - 0013: JSON compact and in UTF-8; the case row's copy of its registration goes (after
      checking that the ``registered`` event says all it said)."""
    previous = "0" * 64
    audit = []
    for entry in before["audit_log"]:
        entry = dict(entry)
        assert entry.pop("prev_hash", previous) == previous  # said nothing the chain does not
        digest = entry["hash"]
        if isinstance(digest, str):
            entry["hash"] = bytes.fromhex(digest)
            previous = digest
        entry["detail"] = _compact(entry["detail"])
        audit.append(entry)
    registered = {
        event["case_id"]: json.loads(str(event["data"]))
        for event in before["case_events"]
        if event["type"] == "registered"
    }
    cases_now = []
    for case in before["cases"]:
        case = dict(case)
        details = json.loads(str(case.pop("details")))
        assert {key: registered[case["id"]][key] for key in details} == details
        cases_now.append(case)
    events = [{**event, "data": _compact(event["data"])} for event in before["case_events"]]
    return {**before, "audit_log": audit, "cases": cases_now, "case_events": events}


def _compact(text: object) -> str:
    return stored_json(json.loads(str(text)))


def _assert_audit_intact(conn: Connection) -> None:
    """The chain is whole and every row is what the entry covering it recorded."""
    covered = Coverage({}, {})
    assert verify_chain(conn, covered).ok
    assert verify_rows(conn, covered) == []


def _verified_first_case(desk: Desk) -> str:
    """After the upgrade: the audit log intact; the id of the case registered first."""
    with desk.db.read() as conn:
        _assert_audit_intact(conn)
        first = conn.execute(select(cases.c.id).order_by(cases.c.registered_at)).scalars().first()
    assert first is not None
    return str(first)


def _baselines_appended(before: dict[str, list[Row]], after: dict[str, list[Row]]) -> list[Row]:
    """The entries the upgrade appended after the log it found, taken out of ``after``."""
    appended = after["audit_log"][len(before["audit_log"]) :]
    after["audit_log"] = after["audit_log"][: len(before["audit_log"])]
    assert {entry["action"] for entry in appended} == {"audit.baseline"}
    return appended


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
    before = _as_stored_now(before)
    # Columns added by later revisions (cached folds, e.g. what a case waits for from the
    # window) are left out: the original columns stay byte for byte.
    after["cases"] = [{key: row[key] for key in before["cases"][0]} for row in after["cases"]]
    # Appended: the baselines that cover the rows written before entries recorded their hashes
    # (0008), and the case rows as 0013 left them.
    assert len(_baselines_appended(before, after)) == 2
    assert after == before  # every row of every table, byte for byte
    with desk.db.read() as conn:
        _assert_audit_intact(conn)
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
    before = _as_stored_now(before)
    after = _snapshot(desk.db.path, tables)
    assert len(_baselines_appended(before, after)) == 1  # the case rows as 0013 left them
    assert after == before  # every row, byte for byte
    _assert_outbox_converted(desk, waiting)
    first = _verified_first_case(desk)

    # The converted desk goes on: a new step waits behind the old ones.
    desk.cases.record(first, EventType.NOTE, CLERK, {"text": "升级后补记"})
    with desk.db.read() as conn:
        ops = pending_ops(conn, 10_000)
        _assert_audit_intact(conn)
    assert [op.op_id for op in ops[:-1]] == [op_id for op_id, _payload in waiting]
    assert ops[-1].payload["event"]["data"] == {"text": "升级后补记"}
    desk.close()


def test_a_0012_release_database_converts_in_place_and_loses_nothing(data_dir: Path) -> None:
    """What the release before this one wrote: JSON turns compact and UTF-8, the case rows lose
    their copy of the registration (the ``registered`` events keep it, a purged case's too),
    one baseline entry covers the case rows as they now are, and nothing else changes."""
    assert stored_revision(FIXTURE_0012) == "0012"
    shutil.copyfile(FIXTURE_0012, data_dir / DB_FILENAME)
    tables = (*TABLES, "outbox", "sync_conflicts", "sync_state")
    before = _snapshot(data_dir / DB_FILENAME, tables)
    assert any(case["pii_purged_at"] for case in before["cases"])
    assert len(before["outbox"]) == 10 and len(before["sync_conflicts"]) == 1

    desk = open_desk(data_dir)
    assert stored_revision(desk.db.path) == HEAD_REVISION
    backups = list((data_dir / "backups").glob("*before-upgrade-from-0012*"))
    assert len(backups) == 1 and _snapshot(backups[0], tables) == before
    before = _as_stored_now(before)
    after = _snapshot(desk.db.path, tables)
    assert len(_baselines_appended(before, after)) == 1
    assert after == before  # every row, byte for byte
    first = _verified_first_case(desk)

    # The file came without its search key, so the index was rebuilt, from the registered
    # events now: the complainants of cases registered before are found by name, except in the
    # case whose personal data was purged (two of each name, the sixth case purged).
    with desk.db.read() as conn:
        for name, found in (("𠮷野", 2), ("买买提·艾力", 1)):
            values = complainant_search.query_values(name)
            digests = complainant_search.digests(desk.db.search_secret, values)
            assert len(cases_repo.cases_for_complainant_keys(conn, digests)) == found, name

    # The converted desk goes on: a new step waits behind the old ones.
    desk.cases.record(first, EventType.NOTE, CLERK, {"text": "升级后补记"})
    with desk.db.read() as conn:
        ops = pending_ops(conn, 10_000)
        _assert_audit_intact(conn)
    assert len(ops) == 11 and ops[-1].payload["event"]["data"] == {"text": "升级后补记"}
    desk.close()
