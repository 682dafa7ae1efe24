"""The central server's tables (its own MetaData and Alembic migrations, apart from the desk's).

Events are the system of record; ``cases`` caches the fold of each timeline (status, unit,
deadline) for the public views. ``revision_counter`` is one row, updated inside every writing
transaction, so revisions are unique per event and issued in commit order (docs/rules.md#sync).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
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
from sqlalchemy.dialects.postgresql import JSONB

from dnw_desk.contract.sqltypes import NAMING, UtcDateTime

metadata = MetaData(naming_convention=NAMING)
JsonType = JSON().with_variant(JSONB(), "postgresql")

terminals = Table(
    "terminals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(8), nullable=False),
    Column("window", String(4), nullable=False),
    Column("label", String(64), nullable=False, default=""),
    # SHA-256 of the token: tokens carry 256 random bits, so a fast hash is enough.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("last_seen_at", UtcDateTime),
    Index("ix_terminals_hall_window", "hall", "window"),
)

# A responsible unit (责任单位) as an entity: its name is not unique (every city has a 市场监管局),
# so a unit is a name *and* the halls it serves (its jurisdiction). Within a hall a name names
# one unit; cases refer to their unit by that name, and (hall, name) finds the unit.
units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

unit_halls = Table(
    "unit_halls",
    metadata,
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True),
    Column("hall", String(8), primary_key=True),
    # Denormalised so the database itself refuses two units of one name in one hall.
    Column("name", String(128), nullable=False),
    UniqueConstraint("hall", "name", name="uq_unit_halls_hall_name"),
)

unit_credentials = Table(
    "unit_credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    # The unit the credential acts for; None for a platform credential (the provincial
    # platform), which may post for any unit.
    Column("unit_id", Integer, ForeignKey("units.id")),
    Column("platform", Boolean, nullable=False, default=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

# The efficiency office's machine credentials (reports API): for one hall, or the province
# when ``hall`` is NULL.
office_credentials = Table(
    "office_credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("hall", String(8)),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

# People who log in to the portal: a unit's liaison (联络员), efficiency-office staff (for one
# hall, or the province when ``hall`` is NULL) and server administrators.
people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("role", String(8), nullable=False),  # unit | office | admin
    Column("unit_id", Integer, ForeignKey("units.id")),
    Column("hall", String(8)),
    Column("password_hash", String(255), nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime),
    Column("disabled_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

# Portal sessions: the cookie carries a random token, the table its SHA-256.
portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Index("ix_portal_sessions_person_id", "person_id"),
)

# What portal users did that touches personal data (a phone revealed, with the reason).
portal_audit = Table(
    "portal_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("case_number", String(32), nullable=False),
    Column("reason", Text, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("hall", String(8), nullable=False),
    Column("window", String(4), nullable=False),
    Column("terminal_id", Integer, ForeignKey("terminals.id"), nullable=False),
    Column("verification_code", String(12), nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("category", String(16), nullable=False),
    Column("service_item", Text, nullable=False),
    Column("lead_unit", Text),
    # "|" + each co-unit's name + "|", so a unit's queue finds its co-unit parts with LIKE.
    Column("co_units", Text, nullable=False, default=""),
    Column("rectification_unit", Text),
    Column("referred_at", UtcDateTime),
    Column("status", String(16), nullable=False),
    Column("deadline", UtcDateTime),
    Column("deadline_provisional", Boolean, nullable=False, default=False),
    Column("opinion_kind", String(32)),
    Column("fed_back_at", UtcDateTime),
    Column("on_time", Boolean),
    Column("closed_at", UtcDateTime),
    # When the retention purge erased the personal data of its events.
    Column("pii_purged_at", UtcDateTime),
    Column("event_count", Integer, nullable=False),
    Column("last_revision", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_cases_registered_at", "registered_at"),
    Index("ix_cases_hall_window", "hall", "window"),
    Index("ix_cases_lead_unit_hall", "lead_unit", "hall"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False),
    # Position in the server's timeline (arrival order); desk_seq is the desk's own numbering.
    Column("position", Integer, nullable=False),
    Column("desk_seq", Integer),
    Column("type", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("data", JsonType, nullable=False),
    Column("origin", String(8), nullable=False),  # desk | unit
    Column("source", String(64), nullable=False),  # terminal:<id> | unit:<id>
    Column("revision", BigInteger, nullable=False, unique=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("case_id", "position", name="uq_case_events_case_position"),
    Index("ix_case_events_origin_revision", "origin", "revision"),
)

applied_ops = Table(
    "applied_ops",
    metadata,
    Column("op_id", String(36), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("result", JsonType, nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
    Index("ix_applied_ops_applied_at", "applied_at"),
)

# Token buckets of the public status page, shared by every worker process: per client address
# ("client:<ip>") and per case number ("case:<number>", wrong codes only). Times are Unix seconds.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(96), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_rate_limits_updated_at", "updated_at"),
)

# The head of each terminal's audit chain as pushed at every sync (tamper evidence): a log
# truncated or re-chained on the terminal no longer contains the anchored entry's hash.
audit_anchors = Table(
    "audit_anchors",
    metadata,
    Column("terminal_id", Integer, ForeignKey("terminals.id"), primary_key=True),
    Column("entry_id", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("anchored_at", UtcDateTime, nullable=False),
)

# The name the public status page shows for a hall. A terminal reports its hall's name from its
# set-up; a name an administrator set (``dnw-server halls set``) wins and is never overwritten.
halls = Table(
    "halls",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("named_by", String(8), nullable=False),  # "admin" or "terminal"
    Column("updated_at", UtcDateTime, nullable=False),
)

# Evidence attachments, addressed by the SHA-256 of their bytes; ``content`` is the bytes
# encrypted under the server's data key (they show people's documents).
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("terminal_id", Integer, ForeignKey("terminals.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Working-day overrides published for the desks (``dnw-server calendar publish``): numbered by
# ``seq`` and signed with the server's calendar key; desks install the latest one.
calendar_releases = Table(
    "calendar_releases",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("version", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("signature", String(128), nullable=False),
    Column("key_fingerprint", String(64), nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
)

revision_counter = Table(
    "revision_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)
