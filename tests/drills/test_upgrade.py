"""The upgrade drill: a database written by the first schema revision upgrades at start-up with
every case, event and audit entry intact and the audit chain still valid."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import select

from dnw_desk.domain.case import EventType, fold
from dnw_desk.services.desk import open_desk
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.coverage import Coverage, verify_rows
from dnw_desk.store.database import DB_FILENAME
from dnw_desk.store.schema import HEAD_REVISION, stored_revision
from dnw_desk.store.tables import audit_log, case_events, cases
from tests.factories import CLERK

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "desk-rev0001.sqlite3"


def _snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("cases", "case_events", "outbox", "audit_log", "daily_counters")
        }


def test_first_revision_database_upgrades_intact(data_dir: Path) -> None:
    assert stored_revision(FIXTURE) == "0001"
    shutil.copyfile(FIXTURE, data_dir / DB_FILENAME)
    before = _snapshot(data_dir / DB_FILENAME)

    desk = open_desk(data_dir)
    assert stored_revision(desk.db.path) == HEAD_REVISION
    backups = list((data_dir / "backups").glob("*before-upgrade-from-0001*"))
    assert len(backups) == 1 and _snapshot(backups[0]) == before
    after = _snapshot(desk.db.path)
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
