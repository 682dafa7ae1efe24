"""The business settings as stored: one row per name, the value as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dnw_desk.store.tables import settings as settings_table


def stored_settings(conn: Connection) -> dict[str, Any]:
    """Every stored setting by name, as its JSON value."""
    return {row.key: row.value for row in conn.execute(select(settings_table))}


def put_settings(conn: Connection, values: Mapping[str, Any], now: datetime) -> None:
    """Insert or replace each named value."""
    for name, value in values.items():
        stmt = sqlite_insert(settings_table).values(key=name, value=value, updated_at=now)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["key"], set_={"value": value, "updated_at": now}
            )
        )
