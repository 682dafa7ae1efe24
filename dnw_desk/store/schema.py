"""Open a data dir: take the instance lock, back up, migrate to the current schema.

Start-up must stay quick, so Alembic is imported only when the stored revision differs from
``instance.HEAD_REVISION`` (a test keeps that constant equal to the migrations' head).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from dnw_desk.clock import system_clock
from dnw_desk.i18n import _
from dnw_desk.store.database import DB_FILENAME, Database, StoreError
from dnw_desk.store.instance import (
    HEAD_REVISION,
    AlreadyRunning,
    InstanceLock,
    ensure_data_dir,
    read_revision,
)

# At home in the SQLAlchemy-free ``store.instance`` (the login is possible before it loads).
__all__ = ["AlreadyRunning", "InstanceLock", "ensure_data_dir"]

BACKUP_DIR = "backups"
DAMAGED_DIR = "damaged"
BACKUPS_KEPT = 10
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseDamaged(StoreError):
    """The database file cannot be read. ``backup`` is the newest backup to offer, if any."""

    def __init__(self, message: str, backup: Path | None) -> None:
        super().__init__(message)
        self.backup = backup


def stored_revision(db_path: Path) -> str | None:
    try:
        return read_revision(db_path)
    except sqlite3.DatabaseError as exc:
        raise _damaged(db_path, exc) from exc


def _damaged(db_path: Path, exc: Exception) -> DatabaseDamaged:
    backup = latest_backup(db_path.parent)
    message = _(
        "The database file {path} is damaged and cannot be read ({detail}). It has not been "
        "changed."
    ).format(path=db_path, detail=exc)
    if backup is not None:
        message += " " + _(
            "The newest backup is {name}. Restoring it keeps the damaged file aside in "
            "“{folder}”; cases saved after the backup must be registered again from their "
            "receipts."
        ).format(name=backup.name, folder=DAMAGED_DIR)
    else:
        message += " " + _("There is no backup to restore. Ask IT for help.")
    return DatabaseDamaged(message, backup)


def latest_backup(data_dir: Path) -> Path | None:
    backups = sorted((data_dir / BACKUP_DIR).glob("dnw-desk-*.sqlite3"))
    return backups[-1] if backups else None


def set_aside_and_restore(data_dir: Path, backup: Path | None, now: datetime) -> Path:
    """Move the damaged database (and its WAL files) into ``damaged/``, then put a copy of
    ``backup`` in its place. Returns where the damaged file went. Nothing is deleted."""
    db_path = data_dir / DB_FILENAME
    aside_dir = data_dir / DAMAGED_DIR
    aside_dir.mkdir(exist_ok=True)
    aside = aside_dir / f"dnw-desk-{now:%Y%m%d-%H%M%S}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        source = db_path.with_name(db_path.name + suffix)
        if source.exists():
            os.replace(source, aside.with_name(aside.name + suffix))
    if backup is not None:
        partial = db_path.with_name(db_path.name + ".restoring")
        shutil.copyfile(backup, partial)
        os.replace(partial, db_path)
    return aside


def backup_if_due(
    db_path: Path, now: datetime, max_age: timedelta = timedelta(days=1)
) -> Path | None:
    """The daily safety copy: taken when the newest backup is older than ``max_age``."""
    newest = latest_backup(db_path.parent)
    if newest is not None and now.timestamp() - newest.stat().st_mtime < max_age.total_seconds():
        return None
    return backup_database(db_path, "daily", now)


def backup_database(db_path: Path, reason: str, now: datetime | None = None) -> Path:
    """A consistent copy through SQLite's backup API; keeps the newest BACKUPS_KEPT."""
    stamp = (now or system_clock()).strftime("%Y%m%d-%H%M%S")
    target_dir = db_path.parent / BACKUP_DIR
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"dnw-desk-{stamp}-{reason}.sqlite3"
    # Written under another name first: a half-written copy must never look like a backup.
    partial = target.with_name(target.name + ".partial")
    try:
        source = sqlite3.connect(db_path)
        try:
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)  # a full disk must not leave a 0-byte copy behind
        raise
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
        if current is not None:
            db.compact()
    from dnw_desk.store.complainant_index import ensure_search_key

    ensure_search_key(db)
    return db
