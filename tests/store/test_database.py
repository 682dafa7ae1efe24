from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from dnw_desk.store.database import DB_FILENAME, REQUIRED_PRAGMAS, StoreError
from dnw_desk.store.instance import HEAD_REVISION
from dnw_desk.store.schema import (
    MIGRATIONS_DIR,
    AlreadyRunning,
    InstanceLock,
    open_database,
    stored_revision,
)


def test_every_connection_has_the_required_pragmas(data_dir: Path) -> None:
    db = open_database(data_dir)
    assert db.pragmas() == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": REQUIRED_PRAGMAS["busy_timeout"],
    }
    # Also on the writer's connection and on connections opened from other threads.
    with db.write() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(db.pragmas()["foreign_keys"]))
    thread.start()
    thread.join(5)
    assert seen == [1]


def test_write_rolls_back_on_error(data_dir: Path) -> None:
    db = open_database(data_dir)
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute(text("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 'x')"))
        raise RuntimeError("crash mid-save")
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM settings").scalar() == 0


def test_head_revision_constant_matches_the_migrations() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_migrations_match_the_tables(data_dir: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from dnw_desk.store.registry import metadata

    db = open_database(data_dir)
    with db.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_older_schema_is_backed_up_before_upgrade(data_dir: Path) -> None:
    db = open_database(data_dir)
    db.close()
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'old'")
    with pytest.raises(Exception):  # noqa: B017 - alembic cannot find revision 'old'
        open_database(data_dir)
    backups = list((data_dir / "backups").glob("dnw-desk-*-before-upgrade-from-old.sqlite3"))
    assert len(backups) == 1
    assert stored_revision(backups[0]) == "old"


def test_a_second_instance_gets_a_clear_message(data_dir: Path) -> None:
    lock = InstanceLock(data_dir)
    lock.acquire()
    try:
        code = (
            "import sys; from pathlib import Path\n"
            "from dnw_desk.store.schema import InstanceLock, AlreadyRunning\n"
            "try:\n    InstanceLock(Path(sys.argv[1])).acquire()\n"
            "except AlreadyRunning as e:\n    print(e); sys.exit(3)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 3
        assert "already running" in result.stdout or "已在使用" in result.stdout
    finally:
        lock.release()
    # Released: the next one gets it.
    again = InstanceLock(data_dir)
    again.acquire()
    again.release()
    assert issubclass(AlreadyRunning, StoreError)


def test_read_only_data_dir_is_reported(tmp_path: Path) -> None:
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o500)
    try:
        import os

        if os.access(target, os.W_OK):
            pytest.skip("running as a user that can write anywhere (root)")
        with pytest.raises(StoreError, match="read-only"):
            open_database(target)
    finally:
        target.chmod(0o700)
