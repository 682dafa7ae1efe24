"""Server fixtures, parametrised over SQLite and PostgreSQL (``DNW_TEST_DATABASE_URL``).

PostgreSQL tests are skipped when the URL is unset, unless ``CI=true``: then they fail, so CI
can never pass without having run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dnw_desk.server import credentials
from dnw_desk.server.app import create_app
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.tables import metadata

PG_ENV = "DNW_TEST_DATABASE_URL"
_pg_ready: set[str] = set()
_pg_created: set[str] = set()


def postgres_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{PG_ENV} is required when CI=true")
        pytest.skip(f"{PG_ENV} is not set")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return _worker_database(url, worker) if worker else url


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets its own database (``<name>_<worker>``, created on
    first use): the tests drop and truncate tables, which must not race between workers."""
    from sqlalchemy import create_engine, make_url, text

    base = make_url(url)
    name = f"{base.database}_{worker}"
    if name not in _pg_created:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).first()
                if exists is None:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        _pg_created.add(name)
    return base.set(database=name).render_as_string(hide_password=False)


def fresh_database(backend: str, tmp_path: Path) -> ServerDatabase:
    if backend == "sqlite":
        db = ServerDatabase(f"sqlite:///{tmp_path / 'server.sqlite3'}")
        db.migrate()
        return db
    url = postgres_url()
    db = ServerDatabase(url)
    if url not in _pg_ready:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        db.migrate()
        _pg_ready.add(url)
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql("INSERT INTO revision_counter (id, value) VALUES (1, 0)")
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server_db(backend: str, tmp_path: Path) -> Iterator[ServerDatabase]:
    db = fresh_database(backend, tmp_path)
    yield db
    db.dispose()


@dataclass
class Credentials:
    terminal: str
    terminal_id: int
    other_terminal: str
    unit: str
    other_unit: str
    platform: str

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


UNIT = "省公安厅"


@pytest.fixture
def tokens(server_db: ServerDatabase) -> Credentials:
    now = datetime.now(UTC)
    with server_db.write() as conn:
        terminal, token = credentials.add_terminal(conn, "AH", "08", now)
        _other, other = credentials.add_terminal(conn, "AH", "09", now)
        _unit, unit = credentials.add_unit(conn, UNIT, now, halls=["AH"])
        _unit2, other_unit = credentials.add_unit(conn, "省教育厅", now, halls=["AH"])
        _platform, platform = credentials.add_unit(conn, "省政务服务平台", now, platform=True)
    return Credentials(token, terminal.id, other, unit, other_unit, platform)


@pytest.fixture
def client(server_db: ServerDatabase) -> Iterator[TestClient]:
    app = create_app(Settings(max_body_bytes=256 * 1024, status_burst=1000), db=server_db)
    with TestClient(app) as test_client:
        yield test_client
