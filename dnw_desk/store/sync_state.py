"""The desk's sync bookkeeping (docs/rules.md#sync), on the shared MetaData.

``sync_state`` holds small named values: the server URL, the terminal id, where the credential
is kept, the pull cursor, and when the last sync succeeded or the desk went offline.
``sync_conflicts`` lists what the server refused (409) or what a pulled event could not be
folded into: both versions, for the shift lead to settle.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from dnw_desk.contract.sqltypes import UtcDateTime
from dnw_desk.store.tables import metadata

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

sync_conflicts = Table(
    "sync_conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("direction", String(8), nullable=False),  # push | pull
    Column("op_id", String(36)),
    Column("case_id", String(36)),
    Column("case_no", String(32)),
    Column("event_id", String(36)),
    Column("code", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("local_version", JSON),
    Column("server_version", JSON),
    Column("detected_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime),
    Column("resolved_by", String(64)),
    Index("ix_sync_conflicts_open", "resolved_at", "id"),
)
