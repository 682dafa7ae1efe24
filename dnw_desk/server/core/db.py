"""The server's database: PostgreSQL (psycopg 3) in deployment, SQLite as the embedded default.

``write()`` is one transaction that commits on success. On SQLite every write starts with
``BEGIN IMMEDIATE`` (the write lock from the first statement, as on the desk); reads use a
second engine so the status page does not queue behind pushes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_MS = 10_000


class ServerDatabase:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            path = make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._writer = _sqlite_engine(url, immediate=True)
            self._reader = _sqlite_engine(url, immediate=False)
        else:
            self._writer = create_engine(
                url,
                pool_size=10,
                max_overflow=20,
                pool_pre_ping=True,
                pool_timeout=30,
                hide_parameters=True,
            )
            self._reader = self._writer

    @property
    def engine(self) -> Engine:
        return self._writer

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._reader.connect() as conn, conn.begin():
            yield conn

    def migrate(self, revision: str = "head") -> None:
        from alembic import command

        with self._writer.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)

    def current_revision(self) -> str | None:
        with self.read() as conn:
            try:
                value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception:  # no table yet: never initialised
                return None
        return str(value) if value is not None else None

    def dispose(self) -> None:
        self._writer.dispose()
        if self._reader is not self._writer:
            self._reader.dispose()


@cache  # the migrations on disk do not change while the server runs; reading them costs ~10 ms
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    # NullPool: a fresh connection per use keeps threads apart; opening SQLite is cheap.
    engine = create_engine(
        url,
        hide_parameters=True,  # errors in the log must not carry the personal data bound
        poolclass=NullPool,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine
