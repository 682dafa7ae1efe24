"""The data dir before the database is opened: its lock, and the file name — without
SQLAlchemy, so the start-up can take the lock and offer the login while SQLAlchemy still loads
(docs/architecture.md#performance-budgets)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from dnw_desk.i18n import _

DB_FILENAME = "dnw-desk.sqlite3"
# The schema revision this release writes (a test keeps it equal to the migrations' head); here,
# not in ``schema``, so the start-up can compare the stored one before SQLAlchemy is loaded.
HEAD_REVISION = "0013"


def read_revision(db_path: Path) -> str | None:
    """The schema revision stored in ``db_path``; None without a file or a schema yet. Plain
    ``sqlite3``; a file it cannot read raises ``sqlite3.DatabaseError``."""
    if not db_path.exists():
        return None
    with closing(sqlite3.connect(db_path)) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                return None
            raise
    return str(row[0]) if row else None


class StoreError(RuntimeError):
    """The data store cannot be used; the message says why and what to do."""


class AlreadyRunning(StoreError):
    """Another dnw-desk holds this data dir."""


@dataclass
class InstanceLock:
    """One running desk per data dir (docs/rules.md#local-store). Released on exit, also after a
    crash."""

    data_dir: Path
    _lock: FileLock | None = None

    def acquire(self) -> None:
        lock = FileLock(str(self.data_dir / "dnw-desk.lock"), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            owner = (self.data_dir / "dnw-desk.pid").read_text(errors="replace").strip()
            raise AlreadyRunning(
                _(
                    "dnw-desk is already running on {path} (process {pid}). Switch to that "
                    "window, or close it before starting another."
                ).format(path=self.data_dir, pid=owner or "?")
            ) from None
        pid_file = self.data_dir / "dnw-desk.pid"
        try:
            pid_file.write_text(str(os.getpid()))
        except OSError as exc:  # a full disk, most likely: say so instead of a traceback
            lock.release()
            raise StoreError(
                _("Cannot write {path}: {reason}.").format(
                    path=pid_file, reason=exc.strerror or exc
                )
            ) from exc
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
            _(
                "Cannot create the data directory {path}: {reason}. Choose another with "
                "--data-dir or fix its permissions."
            ).format(path=data_dir, reason=exc.strerror)
        ) from exc
    if not os.access(data_dir, os.W_OK):
        raise StoreError(
            _(
                "The data directory {path} is read-only. Choose another with --data-dir or fix "
                "its permissions."
            ).format(path=data_dir)
        )
