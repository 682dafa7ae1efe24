"""Fault drills for the local store: disk full, a damaged file, bad data dirs, the clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from dnw_desk.cli import main
from dnw_desk.domain.case import EventType, Status
from dnw_desk.services.desk import open_desk
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.database import DB_FILENAME, SaveFailed, StoreError
from dnw_desk.store.schema import (
    DAMAGED_DIR,
    DatabaseDamaged,
    backup_database,
    backup_if_due,
    latest_backup,
    open_database,
    set_aside_and_restore,
)
from dnw_desk.store.tables import audit_log, case_events, cases, outbox
from tests.factories import CLERK, desk_at, register


def _counts(desk) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with desk.db.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (cases, case_events, outbox, audit_log)
        )


def test_disk_full_refuses_the_save_cleanly(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir)
    saved = [register(desk).case.number for _ in range(3)]
    # SQLite's own "database or disk is full": cap the file a few pages above its size.
    engine = desk.db.writer_engine
    engine.dispose()

    @event.listens_for(engine, "connect")
    def cap(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

    with pytest.raises(SaveFailed) as caught:
        for _ in range(200):
            register(desk, description="很长的描述" * 300)
            clock.advance(minutes=1)
    assert "NOT saved" in str(caught.value) or "未保存" in str(caught.value)
    counts = _counts(desk)
    assert counts[1] == counts[2] == 2 * counts[0] and counts[3] == counts[1]  # nothing half-saved
    assert desk.db.integrity_check() == "ok"
    with desk.db.read() as conn:
        assert verify_chain(conn).ok
        numbers = set(conn.execute(select(cases.c.number)).scalars())
    assert set(saved) <= numbers
    # Space comes back: the next save works and numbering has no gap.
    event.remove(engine, "connect", cap)
    engine.dispose()
    after = register(desk).case
    serials = sorted(int(n.split("-")[2][:4]) for n in (*numbers, after.number))
    assert serials == list(range(1, len(serials) + 1))


def test_damaged_database_is_set_aside_and_the_backup_restored(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    kept = register(desk).case.number
    desk.close()
    backup = backup_database(data_dir / DB_FILENAME, "daily")
    (data_dir / DB_FILENAME).write_bytes(b"this is not a database" * 100)

    with pytest.raises(DatabaseDamaged) as caught:
        open_database(data_dir)
    assert caught.value.backup == backup
    assert backup.name in str(caught.value)

    aside = set_aside_and_restore(data_dir, caught.value.backup, desk.clock())
    assert aside.parent.name == DAMAGED_DIR
    assert aside.read_bytes().startswith(b"this is not a database")
    desk = open_desk(data_dir)
    with desk.db.read() as conn:
        assert conn.execute(select(cases.c.number)).scalars().all() == [kept]


def test_damaged_database_without_backup_says_so(data_dir: Path) -> None:
    (data_dir / DB_FILENAME).write_bytes(b"\0garbage" * 512)
    with pytest.raises(DatabaseDamaged) as caught:
        open_database(data_dir)
    assert caught.value.backup is None
    assert (data_dir / DB_FILENAME).read_bytes().startswith(b"\0garbage")  # untouched


def test_db_commands_check_backup_and_restore(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    desk.close()
    assert main(["--data-dir", str(data_dir), "db", "check"]) == 0
    assert main(["--data-dir", str(data_dir), "db", "backup"]) == 0
    (data_dir / DB_FILENAME).write_bytes(b"garbage" * 1000)
    assert main(["--data-dir", str(data_dir), "db", "check"]) == 1
    assert main(["--data-dir", str(data_dir), "db", "restore"]) == 0
    assert main(["--data-dir", str(data_dir), "db", "check"]) == 0
    assert "DAMAGED" in capsys.readouterr().out


def test_daily_backup_is_taken_once_a_day(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir)
    register(desk)
    first = backup_if_due(desk.db.path, clock())
    assert first is not None and latest_backup(data_dir) == first
    assert backup_if_due(desk.db.path, clock()) is None
    assert first.with_name(first.name + ".partial").exists() is False


def test_missing_data_dir_is_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "data"
    open_database(target).close()
    assert (target / DB_FILENAME).exists()


def test_data_dir_that_cannot_be_created_gets_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match=r"Cannot create the data directory|无法创建数据目录"):
        open_database(blocker / "data")


def test_read_only_data_dir_is_refused_with_a_message(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    # Root ignores permission bits (and CI runs as root), so ask the OS check to say "no"
    # the way a read-only mount or a locked-down profile would.
    real_access = os.access

    def access(path: str, mode: int) -> bool:
        return False if Path(path) == data_dir else real_access(path, mode)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(StoreError, match=r"read-only|只读"):
        open_database(data_dir)


def test_read_only_database_file_refuses_saves_cleanly(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    engine = desk.db.writer_engine
    engine.dispose()

    @event.listens_for(engine, "connect")
    def read_only(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA query_only = ON")

    with pytest.raises(SaveFailed):
        register(desk)
    event.remove(engine, "connect", read_only)
    engine.dispose()
    assert desk.db.integrity_check() == "ok"
    register(desk)


def test_clock_jumping_back_keeps_the_timeline_in_order(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir)
    case = register(desk).case
    clock.advance(hours=-1)  # NTP or a clerk sets the PC clock back an hour
    row = desk.cases.record(case.id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled"}).case
    assert row.status == Status.OPINION_GIVEN
    events = desk.cases.events(case.id)
    assert [e.at for e in events] == sorted(e.at for e in events)
    # Registration still works and numbers stay unique.
    again = register(desk).case
    assert again.number != case.number
    clock.advance(hours=1, minutes=5)
    desk.cases.record(case.id, EventType.COMPLAINANT_INFORMED, CLERK, {"channel": "phone"})
    assert desk.cases.events(case.id)[-1].at - events[-1].at >= timedelta(0)
