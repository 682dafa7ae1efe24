"""The server's migrations build exactly the tables the code declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.tables import metadata


def test_migrations_match_the_tables(server_db: ServerDatabase) -> None:
    with server_db.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
