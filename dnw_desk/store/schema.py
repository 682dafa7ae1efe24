"""Open a data dir: take the instance lock, back up, migrate to the current schema.

Start-up must stay quick, so Alembic is imported only when the stored revision differs from
``HEAD_REVISION`` (a test keeps that constant equal to the migrations' head).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from dnw_desk.clock import system_clock
from dnw_desk.store.database import DB_FILENAME, Database, StoreError

HEAD_REVISION = "0006"
BACKUP_DIR = "backups"
BACKUPS_KEPT = 10
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class AlreadyRunning(StoreError):
    """Another dnw-desk holds this data dir."""


@dataclass
class InstanceLock:
    """One running desk per data dir (DESIGN §8). Released on exit, also after a crash."""

    data_dir: Path
    _lock: FileLock | None = None

    def acquire(self) -> None:
        lock = FileLock(str(self.data_dir / "dnw-desk.lock"), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            owner = (self.data_dir / "dnw-desk.pid").read_text(errors="replace").strip()
            raise AlreadyRunning(
                f"dnw-desk is already running on {self.data_dir} (process {owner or '?'}). "
                "Switch to that window, or close it before starting another."
            ) from None
        (self.data_dir / "dnw-desk.pid").write_text(str(os.getpid()))
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def ensure_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Cannot create the data directory {data_dir}: {exc.strerror}. "
            "Choose another with --data-dir or fix its permissions."
        ) from exc
    if not os.access(data_dir, os.W_OK):
        raise StoreError(
            f"The data directory {data_dir} is read-only. "
            "Choose another with --data-dir or fix its permissions."
        )


def stored_revision(db_path: Path) -> str | None:
    if not db_path.exists():
        return None
    with sqlite3.connect(db_path) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                return None
            raise StoreError(
                f"The database {db_path} cannot be read ({exc}). It may be damaged."
            ) from exc
    return str(row[0]) if row else None


def backup_database(db_path: Path, reason: str, now: datetime | None = None) -> Path:
    """A consistent copy through SQLite's backup API; keeps the newest BACKUPS_KEPT."""
    stamp = (now or system_clock()).strftime("%Y%m%d-%H%M%S")
    target_dir = db_path.parent / BACKUP_DIR
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"dnw-desk-{stamp}-{reason}.sqlite3"
    source = sqlite3.connect(db_path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    for old in sorted(target_dir.glob("dnw-desk-*.sqlite3"))[:-BACKUPS_KEPT]:
        old.unlink()
    return target


def migrate(db: Database, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def open_database(data_dir: Path) -> Database:
    """The data dir's database at the current schema, backed up first if it had to change."""
    ensure_data_dir(data_dir)
    db_path = data_dir / DB_FILENAME
    current = stored_revision(db_path)
    if current is not None and current != HEAD_REVISION:
        backup_database(db_path, f"before-upgrade-from-{current}")
    db = Database(db_path)
    if current != HEAD_REVISION:
        migrate(db)
    return db
