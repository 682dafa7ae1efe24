"""The text-message outbox (docs/rules.md#text-messages), on the shared MetaData.

One row per intended message, keyed by the step that caused it and its kind, so planning twice
plans once. Its ``id`` is the idempotency key the gateway receives. A send is recorded as an
attempt *before* the request leaves and marked sent after the answer, so a crash in between
resends with the same key and the gateway drops the duplicate. The planner's cursor (which
stored events it has read, by position) is the ``sms_cursor`` row of ``sync_state``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnClause,
    Connection,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    literal_column,
    select,
    update,
)

from dnw_desk.contract.sqltypes import UtcDateTime
from dnw_desk.store.tables import case_events, metadata

PENDING = "pending"
SENT = "sent"
GAVE_UP = "gave_up"  # a permanent refusal, or too many tries: the shift lead sees it

sms_messages = Table(
    "sms_messages",
    metadata,
    Column("id", String(36), primary_key=True),  # the idempotency key sent to the gateway
    Column("case_id", String(36), nullable=False),
    Column("trigger_event_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("params", JSON, nullable=False),  # number, masked name, deadline, link: nothing more
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text),
    Column("gateway_ref", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    UniqueConstraint("trigger_event_id", "kind", name="uq_sms_messages_trigger_kind"),
    Index("ix_sms_messages_due", "status", "next_attempt_at"),
)


def recorded_after(conn: Connection, position: int) -> list[tuple[str, str, int]]:
    """(case_id, event_id, position) of the events stored after ``position``, in storing order.
    The position is SQLite's rowid: events are never deleted, so it only grows — unlike a
    timestamp, which goes back when the PC's clock is corrected."""
    rowid: ColumnClause[int] = literal_column("case_events.rowid")
    rows = conn.execute(
        select(case_events.c.case_id, case_events.c.id, rowid.label("position"))
        .where(rowid > position)
        .order_by(rowid)
    )
    return [(row.case_id, row.id, int(row.position)) for row in rows]


def last_position(conn: Connection) -> int:
    rowid: ColumnClause[int] = literal_column("case_events.rowid")
    value = conn.execute(select(func.max(rowid)).select_from(case_events)).scalar()
    return int(value or 0)


def add_planned(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the messages not planned yet (same step and kind); returns how many were new."""
    added = 0
    for row in rows:
        exists = conn.execute(
            select(sms_messages.c.id).where(
                sms_messages.c.trigger_event_id == row["trigger_event_id"],
                sms_messages.c.kind == row["kind"],
            )
        ).first()
        if exists is None:
            conn.execute(insert(sms_messages).values(**row))
            added += 1
    return added


def due(conn: Connection, now: datetime, limit: int = 20) -> list[Any]:
    return list(
        conn.execute(
            select(sms_messages)
            .where(sms_messages.c.status == PENDING, sms_messages.c.next_attempt_at <= now)
            .order_by(sms_messages.c.next_attempt_at, sms_messages.c.created_at)
            .limit(limit)
        )
    )


def begin_attempt(conn: Connection, message_id: str, retry_at: datetime) -> int:
    """Count the attempt before the request leaves; until marked, it is due again at
    ``retry_at`` (a crash mid-send resends with the same key). Returns the attempt number."""
    conn.execute(
        update(sms_messages)
        .where(sms_messages.c.id == message_id)
        .values(attempts=sms_messages.c.attempts + 1, next_attempt_at=retry_at)
    )
    return int(
        conn.execute(
            select(sms_messages.c.attempts).where(sms_messages.c.id == message_id)
        ).scalar_one()
    )


def mark_sent(conn: Connection, message_id: str, now: datetime, ref: str) -> None:
    conn.execute(
        update(sms_messages)
        .where(sms_messages.c.id == message_id)
        .values(status=SENT, sent_at=now, gateway_ref=ref[:64], last_error=None)
    )


def mark_failed(conn: Connection, message_id: str, reason: str, retry_at: datetime | None) -> None:
    """A failed try: due again at ``retry_at``, or given up when None."""
    values: dict[str, Any] = {"last_error": reason[:500]}
    if retry_at is None:
        values["status"] = GAVE_UP
    else:
        values["next_attempt_at"] = retry_at
    conn.execute(update(sms_messages).where(sms_messages.c.id == message_id).values(**values))


def failing(conn: Connection) -> list[Any]:
    """Messages that failed at least once and are not sent: for the shift lead."""
    return list(
        conn.execute(
            select(sms_messages)
            .where(sms_messages.c.status != SENT, sms_messages.c.last_error.is_not(None))
            .order_by(sms_messages.c.created_at)
        )
    )


def counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(sms_messages.c.status, func.count()).group_by(sms_messages.c.status))
    return {status: int(count) for status, count in rows}
