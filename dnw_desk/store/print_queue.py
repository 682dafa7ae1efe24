"""The ``print_jobs`` table: the persisted print queue (docs/rules.md#receipts).

A job is written before anything is sent to the printer, so a crash or an unplugged printer
loses nothing: the job stays *queued* or *failed* with its reason until it prints.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from dnw_desk.contract.sqltypes import UtcDateTime
from dnw_desk.store.tables import metadata

print_jobs = Table(
    "print_jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36)),
    Column("kind", String(12), nullable=False),
    Column("copy_number", Integer, nullable=False),
    # The layout data (what is printed, masked where the layout masks) as JSON.
    Column("payload", JSON, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_print_jobs_status_created", "status", "created_at"),
)
