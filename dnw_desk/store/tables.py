"""The desk's tables (SQLAlchemy Core). One MetaData; Alembic migrations are written against it.

Times are stored as UTC ISO-8601 text (``UtcDateTime``, shared with the server's schema in
``dnw_desk.contract.sqltypes``); the case's derived columns (status, deadline, level, …) are a
cache of the fold over its events, kept in step by the services in the same transaction as the
event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnDefault,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from dnw_desk.contract.sqltypes import NAMING, HexDigest, UtcDateTime

metadata = MetaData(naming_convention=NAMING)


cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("hall", String(8), nullable=False),
    Column("window", String(4), nullable=False),
    Column("day", String(8), nullable=False),
    Column("serial", Integer, nullable=False),
    Column("verification_code", String(12), nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("clerk_no", String(16), nullable=False),
    Column("category", String(16), nullable=False),
    Column("service_item", Text, nullable=False),
    Column("lead_unit", Text),
    # Complainant (personal data; purged after retention, see docs/rules.md#privacy).
    Column("complainant_kind", String(12), nullable=False),
    Column("complainant_name", Text),
    Column("phone", String(20)),
    Column("id_number", String(18)),
    Column("credit_code", String(18)),
    Column("search_text", Text, nullable=False, default=""),
    # Cached fold of the events.
    Column("status", String(16), nullable=False),
    Column("referred_at", UtcDateTime),
    Column("deadline", UtcDateTime),
    Column("deadline_provisional", Boolean, nullable=False, default=False),
    Column("calendar_version", String(64)),
    Column("level", String(12), nullable=False, default="none"),
    Column("escalated", Boolean, nullable=False, default=False),
    Column("returns", Integer, nullable=False, default=0),
    Column("fed_back_at", UtcDateTime),
    Column("on_time", Boolean),
    Column("closed_at", UtcDateTime),
    Column("event_count", Integer, nullable=False, default=0),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("pii_purged_at", UtcDateTime),
    Column("window_task", String(24)),  # what the case waits for from the window, if anything
    # A running rectification (整改): its start and deadline, for its own alert ladder.
    Column("rectification_from", UtcDateTime),
    Column("rectification_due", UtcDateTime),
    UniqueConstraint("hall", "window", "day", "serial", name="uq_cases_serial"),
    Index("ix_cases_status_deadline", "status", "deadline"),
    Index("ix_cases_registered_at", "registered_at"),
    Index("ix_cases_lead_unit", "lead_unit"),
    Index("ix_cases_category", "category"),
    Index("ix_cases_phone", "phone"),
    Index("ix_cases_id_number", "id_number"),
    Index("ix_cases_credit_code", "credit_code"),
)

# The complainant search index: keyed hashes of each case's name, phone, ID number and credit
# code (domain.complainant_search), never the values themselves. Looked up by digest only;
# a case's rows go when its personal data is purged after retention, like the columns above.
complainant_keys = Table(
    "complainant_keys",
    metadata,
    Column("digest", LargeBinary(32), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), primary_key=True),
    sqlite_with_rowid=False,
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    # Where the event came from: this desk, or pulled from the server (units' feedback).
    Column("origin", String(16), nullable=False, default="desk"),
    UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
)

# An operation waiting for the server: a reference to the event it carries (the wire payload is
# built from the event row when it is pushed, see store.outbox_queries), deleted once the
# server has answered it. ``op_id`` is the idempotency key the server de-duplicates on; a push
# the server refused lives on in sync_conflicts with both versions.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("op_id", String(36), nullable=False),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False),
    Column("event_id", String(36), ForeignKey("case_events.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(48), nullable=False),
    Column("case_id", String(36)),
    # Never personal data: case ids/numbers, field names, reasons typed by staff.
    Column("detail", JSON, nullable=False),
    # The hash of the entry before is that entry's own ``hash``: it is not stored twice.
    Column("hash", HexDigest, nullable=False),
)

daily_counters = Table(
    "daily_counters",
    metadata,
    Column("hall", String(8), primary_key=True),
    Column("window", String(4), primary_key=True),
    Column("day", String(8), primary_key=True),
    Column("last_serial", Integer, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)


def column_defaults(table: Table, columns: Iterable[str]) -> dict[str, Any]:
    """The value each column takes when an insert leaves it out (None without a plain default):
    for rows known from the values inserted, without reading them back."""
    defaults: dict[str, Any] = dict.fromkeys(columns)
    for name in defaults:
        default = table.c[name].default
        if isinstance(default, ColumnDefault) and default.is_scalar:
            defaults[name] = default.arg
    return defaults
