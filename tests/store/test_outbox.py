"""The outbox by reference, answered ops dropped, and the space given back (issue 16)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from dnw_desk.contract.wire import Op
from dnw_desk.store.database import AUTO_VACUUM_INCREMENTAL, DB_FILENAME, Database
from dnw_desk.store.outbox_queries import drop_answered, pending_ops
from dnw_desk.store.schema import open_database
from dnw_desk.store.tables import outbox
from tests.factories import desk_at, register


def test_an_op_is_built_from_its_event_and_goes_once_answered(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case = register(desk).case
    with desk.db.read() as conn:
        ops = pending_ops(conn, 100)
        columns = set(conn.execute(select(outbox)).keys())
    assert columns == {"id", "op_id", "case_id", "event_id", "created_at"}  # no copy of the data
    assert [op.payload["seq"] for op in ops] == [1, 2]
    for op in ops:
        wire = Op.model_validate(op.payload)  # exactly the wire form the server validates
        assert wire.case_no == case.number and op.payload["event"]["id"] == str(wire.event.id)
        assert op.payload["event"]["at"].endswith("+08:00")  # as the desk's clock wrote it
    with desk.db.write() as conn:
        drop_answered(conn, [ops[0].id])
    with desk.db.read() as conn:
        assert [op.op_id for op in pending_ops(conn, 100)] == [ops[1].op_id]
    desk.close()


def test_freed_pages_go_back_in_bounded_steps(data_dir: Path) -> None:
    db = open_database(data_dir)
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == AUTO_VACUUM_INCREMENTAL
    with db.write() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (blob BLOB)")
        for _ in range(300):
            conn.exec_driver_sql("INSERT INTO filler VALUES (randomblob(3000))")
    with db.write() as conn:
        conn.exec_driver_sql("DROP TABLE filler")
    free = db.reclaim_space(max_pages=100)
    assert free >= 300
    assert db.reclaim_space(max_pages=100) == free - 100  # one bounded step at a time
    for _ in range(10):
        db.reclaim_space(max_pages=100)
    assert db.reclaim_space() == 0
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar() == 0
    db.close()


def test_compacting_an_older_file_switches_it_to_incremental_vacuum(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE t (x)")  # auto_vacuum can no longer change without a VACUUM
    raw.close()
    db = Database(path)
    db.compact()
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == AUTO_VACUUM_INCREMENTAL
    db.close()


def test_compacting_gives_back_the_space_of_rows_rewritten_smaller(tmp_path: Path) -> None:
    """What an upgrade that rewrites rows leaves: no free page to reclaim, but half-empty ones
    (0013 on 20 000 demo cases: the file stayed 209 MB until compacted)."""
    db = Database(tmp_path / DB_FILENAME)
    with db.write() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        for _ in range(2000):
            conn.exec_driver_sql("INSERT INTO t VALUES (?)", ("\\u6c6a" * 100,))
        conn.exec_driver_sql("UPDATE t SET x = '汪'")
    with db.read() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    assert db.reclaim_space() == 0  # nothing on the free list: the pages are half empty
    db.compact()
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA page_count").scalar() < pages / 5
        assert conn.exec_driver_sql("SELECT count(*) FROM t WHERE x = '汪'").scalar() == 2000
    db.close()
