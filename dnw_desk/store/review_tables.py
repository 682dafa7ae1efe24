"""Tables of the queue and the shift lead's review: alert notifications and handover notes.

Registered on the shared MetaData (see ``dnw_desk.store.registry``); created by migration 0002+.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from dnw_desk.contract.sqltypes import UtcDateTime
from dnw_desk.store.tables import cases, metadata

# The queue filters pending cases by their cached alert level.
Index("ix_cases_level", cases.c.level)

# One row per (case, deadline cycle, level) that has been notified, so a crossing raises one
# banner and one tray message — also across a restart. ``cycle`` is the deadline the level was
# measured against: an extension or a redo starts a new cycle, which may notify again.
alert_notifications = Table(
    "alert_notifications",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("cycle", String(32), primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("notified_at", UtcDateTime, nullable=False),
    # Snoozed: remind once more at this moment if the case is still at this level.
    Column("snoozed_until", UtcDateTime),
    Column("acknowledged_at", UtcDateTime),
    Column("acknowledged_by", String(64)),
    Index("ix_alert_notifications_snoozed", "snoozed_until"),
)

# The shift lead's note for the next shift; every save is a new row (history is kept).
handover_notes = Table(
    "handover_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", String(10), nullable=False),  # YYYY-MM-DD, hall time
    Column("written_at", UtcDateTime, nullable=False),
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_handover_notes_day", "day", "id"),
)
