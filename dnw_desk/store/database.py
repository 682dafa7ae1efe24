"""The SQLite file: connections with the PRAGMAs of docs/rules.md#local-store, and the single
writer.

Two engines on one file. The *writer* has exactly one connection, guarded by a lock, and every
write transaction starts with ``BEGIN IMMEDIATE`` so it holds SQLite's write lock from its first
statement (no upgrade deadlocks). The *reader* pool serves queries from any thread; WAL lets
them run beside the writer.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool, QueuePool

from dnw_desk.contract.sqltypes import stored_json
from dnw_desk.i18n import N_, _
from dnw_desk.store.driver import driver_connection
from dnw_desk.store.instance import DB_FILENAME, StoreError
from dnw_desk.store.search_secret import load_or_create_secret

__all__ = ["DB_FILENAME", "StoreError"]  # their home is the SQLAlchemy-free ``store.instance``

BUSY_TIMEOUT_MS = 5000
RECLAIM_PAGES = 2000  # one reclaim step: 8 MB of 4 KB pages, a few ms of the writer
AUTO_VACUUM_INCREMENTAL = 2

# The PRAGMAs every connection must have, and the value each must read back as.
REQUIRED_PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: NORMAL can lose acknowledged saves on power loss
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
}


class SaveFailed(StoreError):
    """A write was refused by SQLite or the disk; nothing of it was saved."""


# What SQLite says, and what the clerk is told. The transaction is rolled back in every case.
_WRITE_FAULTS = (
    (
        "database or disk is full",
        N_(
            "The disk is full, so this was NOT saved. Free some disk space (or ask IT to), then "
            "save again; everything saved before is intact."
        ),
    ),
    (
        "disk I/O error",
        N_(
            "The disk reported an error, so this was NOT saved. Try again; if it keeps "
            "happening, ask IT to check the disk. Everything saved before is intact."
        ),
    ),
    (
        "readonly database",
        N_(
            "The database file is read-only, so this was NOT saved. Ask IT to check the "
            "permissions of the data directory."
        ),
    ),
    (
        "database is locked",
        N_("The database stayed busy, so this was NOT saved. Try again in a moment."),
    ),
)


def translate_write_fault(exc: BaseException) -> SaveFailed | None:
    text = str(exc)
    for needle, message in _WRITE_FAULTS:
        if needle in text:
            return SaveFailed(_(message))
    return None


def configure_connection(dbapi_connection: sqlite3.Connection) -> None:
    """Set and then verify the PRAGMAs; refuse a connection that did not take them."""
    # We issue BEGIN ourselves (see _begin); pysqlite's implicit transactions would defeat it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # Takes effect in a new file only (before its first table); an older file is converted
        # once at upgrade (schema.open_database). Freed pages are then handed back by
        # ``Database.reclaim_space`` from a background lane.
        cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        for name, expected in REQUIRED_PRAGMAS.items():
            actual = cursor.execute(f"PRAGMA {name}").fetchone()[0]
            if str(actual).lower() != str(expected):
                raise StoreError(f"SQLite refused PRAGMA {name}={expected} (it reads {actual!r})")
    finally:
        cursor.close()


def _make_engine(path: Path, *, writer: bool) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=1 if writer else 4,
        max_overflow=0 if writer else 4,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        json_serializer=stored_json,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        configure_connection(dbapi_connection)
        if writer:
            # 32 MB of page cache for the one writer (default 2 MB): the indexes a registration
            # touches stay in memory instead of being re-read on every save.
            dbapi_connection.execute("PRAGMA cache_size = -32000")

    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Straight to the driver: through exec_driver_sql it costs ~85 µs more, on every
        # transaction (a registration's save is ~3 ms).
        driver_connection(conn).execute(begin)

    return engine


def writable(path: Path) -> bool:
    """Whether this process may write ``path`` (and so the desk could save there)."""
    return os.access(path, os.W_OK)


@contextmanager
def read_only_connection(path: Path) -> Iterator[Connection]:
    """A connection that writes nothing, not even WAL bookkeeping: for checks on a read-only
    directory or mount, where the normal open (which needs the -shm file) cannot work. A WAL
    file left behind by a crash is not read this way."""
    engine = create_engine(
        f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true", poolclass=NullPool
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


class Database:
    """One data dir's SQLite file. Use ``write()`` for changes and ``read()`` for queries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._writer = _make_engine(path, writer=True)
        self._reader = _make_engine(path, writer=False)
        self._search_secret: bytes | None = None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: commits on success, rolls back on any exception.

        SQLite's disk-full and I/O failures come out as ``SaveFailed`` with a message for the
        user; the rolled-back transaction leaves the earlier data as it was.
        """
        from dnw_desk.store import coverage

        try:
            with self._write_lock, self._writer.begin() as conn:
                coverage.reset(conn)
                yield conn
        except (OperationalError, sqlite3.OperationalError) as exc:
            fault = translate_write_fault(exc)
            if fault is None:
                raise
            raise fault from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: a consistent snapshot of the committed data."""
        with self._reader.connect() as conn, conn.begin():
            yield conn

    @property
    def search_secret(self) -> bytes:
        """The key of the complainant search index, kept beside the database file."""
        if self._search_secret is None:
            self._search_secret = load_or_create_secret(self.path.parent)
        return self._search_secret

    @property
    def writer_engine(self) -> Engine:
        return self._writer

    def pragmas(self) -> dict[str, Any]:
        with self.read() as conn:
            return {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in REQUIRED_PRAGMAS
            }

    @contextmanager
    def _writer_outside_transaction(self) -> Iterator[sqlite3.Connection]:
        """The writer's own connection with no transaction open, for statements that must
        run outside one (VACUUM) or step to their end (incremental_vacuum)."""
        with self._write_lock:
            raw = self._writer.raw_connection()
            try:
                dbapi = raw.driver_connection
                assert isinstance(dbapi, sqlite3.Connection)
                yield dbapi
            finally:
                raw.close()

    def reclaim_space(self, max_pages: int = RECLAIM_PAGES) -> int:
        """Give up to ``max_pages`` free pages back to the file system (``auto_vacuum`` is
        INCREMENTAL); returns how many were free before. Holds the writer for a short, bounded
        step: call it from a background lane, never the GUI thread."""
        with self._writer_outside_transaction() as dbapi:
            free = int(dbapi.execute("PRAGMA freelist_count").fetchone()[0])
            if free:
                # The pragma frees one page per step and execute() steps once (its rows have
                # no columns to fetch); executescript steps it to the end.
                dbapi.executescript(f"PRAGMA incremental_vacuum({int(max_pages)});")
        return free

    def compact(self) -> None:
        """Rewrite the file without the space its rows no longer use, in ``auto_vacuum =
        INCREMENTAL`` (an older file is switched to it; only a full VACUUM can). Done once after
        an upgrade, after the backup: a migration that rewrites rows smaller (0013) leaves
        half-empty pages that neither the free list nor later inserts ever give back."""
        with self._writer_outside_transaction() as dbapi:
            dbapi.execute("PRAGMA auto_vacuum = INCREMENTAL")
            dbapi.execute("VACUUM")

    def integrity_check(self) -> str:
        with self.read() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())

    def close(self) -> None:
        self._writer.dispose()
        self._reader.dispose()
