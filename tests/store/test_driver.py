from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.store.driver import DriverInsert
from dnw_desk.store.tables import audit_log, case_events, cases, complainant_keys, outbox
from tests.factories import desk_at, register

AT = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=HALL_TZ)


def _event(case_id: str, event_id: str, seq: int) -> dict[str, Any]:
    # Chinese text (kept as UTF-8), a lone surrogate (kept as an escape), nesting; no origin,
    # so the column's default applies.
    data = {"text": "已按规定办理并答复", "odd": "\ud800", "nested": {"b": [1, None, True]}}
    return {
        "id": event_id,
        "case_id": case_id,
        "seq": seq,
        "type": "note",
        "at": AT,
        "actor": "clerk:liuyang",
        "data": data,
        "recorded_at": AT,
    }


def _stored(conn: Any, event_id: str) -> tuple[Any, ...]:
    return tuple(
        conn.exec_driver_sql(
            "SELECT case_id, type, at, actor, data, recorded_at, origin FROM case_events "
            "WHERE id = ?",
            (event_id,),
        ).one()
    )


def test_a_row_is_stored_as_core_insert_stores_it(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id = register(desk).case.id
    with desk.db.write() as conn:
        conn.execute(insert(case_events), [_event(case_id, "by-core", 100)])
        DriverInsert(case_events)(conn, [_event(case_id, "by-driver", 101)])
    with desk.db.read() as conn:
        assert _stored(conn, "by-driver") == _stored(conn, "by-core")
        assert _stored(conn, "by-driver")[-1] == "desk"
    desk.close()


# Per table: the column a copy is found by, and the unique columns each copy sets anew.
COPIES: dict[str, tuple[str, dict[str, tuple[Any, Any]]]] = {
    "cases": ("id", {"id": ("c1", "d1"), "number": ("c1", "d1"), "serial": (900, 901)}),
    "complainant_keys": ("digest", {"digest": (b"c" * 32, b"d" * 32)}),
    "case_events": ("id", {"id": ("c1", "d1"), "seq": (100, 101)}),
    "outbox": ("op_id", {"op_id": ("c1", "d1")}),
    "audit_log": ("id", {"id": (10_000, 10_001)}),
}


@pytest.mark.parametrize("table", [cases, complainant_keys, case_events, outbox, audit_log])
def test_every_hot_table_stores_what_core_stores(data_dir: Path, table: Table) -> None:
    """A row the desk wrote, read back as Python values and inserted again by Core and by
    DriverInsert: both copies are stored alike, column by column (times, JSON, digests,
    booleans, NULLs)."""
    desk, _clock = desk_at(data_dir)
    register(desk)
    found_by, fresh = COPIES[table.name]
    with desk.db.write() as conn:
        row = dict(conn.execute(select(table).limit(1)).one()._mapping)
        if table is outbox:
            del row["id"]  # SQLite's to give
        core = {**row, **{name: pair[0] for name, pair in fresh.items()}}
        drv = {**row, **{name: pair[1] for name, pair in fresh.items()}}
        conn.execute(insert(table), [core])
        DriverInsert(table)(conn, [drv])
        sql = f'SELECT * FROM "{table.name}" WHERE "{found_by}" = ?'
        stored = [
            conn.exec_driver_sql(sql, (copy[found_by],)).one()._mapping for copy in (core, drv)
        ]
    same = [c.name for c in table.c if c.name not in fresh and c.name != "id"]
    assert same
    assert [stored[0][name] for name in same] == [stored[1][name] for name in same]
    desk.close()


def test_an_autoincrement_key_is_left_to_sqlite(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    saved = register(desk)
    ops = DriverInsert(outbox)
    assert "id" not in ops.columns
    row = {"op_id": "op-x", "case_id": saved.case.id, "event_id": saved.event_ids[0]}
    with desk.db.write() as conn:
        ops(conn, [{**row, "created_at": AT}])
        last = conn.exec_driver_sql("SELECT max(id) FROM outbox").scalar()
        new = conn.exec_driver_sql("SELECT id FROM outbox WHERE op_id = 'op-x'").scalar()
    assert new == last
    desk.close()


def test_an_unknown_column_is_refused_and_nothing_is_saved(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id = register(desk).case.id
    with pytest.raises(KeyError, match="colour"), desk.db.write() as conn:
        DriverInsert(case_events)(conn, [_event(case_id, "a", 100)])
        DriverInsert(case_events)(conn, [{**_event(case_id, "b", 101), "colour": "red"}])
    with desk.db.read() as conn:
        assert (
            conn.exec_driver_sql("SELECT count(*) FROM case_events WHERE seq >= 100").scalar() == 0
        )
    desk.close()


def test_a_driver_error_rolls_the_whole_save_back(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id = register(desk).case.id
    with pytest.raises(sqlite3.IntegrityError), desk.db.write() as conn:
        DriverInsert(case_events)(conn, [_event(case_id, "a", 100)])
        DriverInsert(case_events)(conn, [_event(case_id, "a", 101)])  # the same id again
    with desk.db.read() as conn:
        assert (
            conn.exec_driver_sql("SELECT count(*) FROM case_events WHERE seq >= 100").scalar() == 0
        )
    desk.close()


def test_a_computed_default_is_refused_up_front() -> None:
    table = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("stamp", String, default=lambda: "now"),
    )
    with pytest.raises(TypeError, match=r"t\.stamp"):
        DriverInsert(table)
    assert DriverInsert(table, ["id"]).columns == ("id",)
