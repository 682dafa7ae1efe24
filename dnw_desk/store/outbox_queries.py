"""The outbox: what waits for the server, by reference (docs/rules.md#sync).

An outbox row names its event; the wire payload (``contract.wire.Op``) is built from the event
and case rows when it is pushed, so the event's data is stored once. Once the server has
answered an op (applied, duplicate or conflict) its row is deleted: the server keeps the
idempotency record, and a refused op lives on in sync_conflicts with both versions. The pages
freed are given back to the file system by ``reclaim_space`` on a background lane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.store.driver import DriverInsert
from dnw_desk.store.tables import case_events, cases, outbox

_INSERT_OPS = DriverInsert(outbox)  # on registration's hot path
_PENDING = (
    select(
        outbox.c.id,
        outbox.c.op_id,
        outbox.c.case_id,
        cases.c.number,
        cases.c.hall,
        cases.c.window,
        case_events.c.id.label("event_id"),
        case_events.c.seq,
        case_events.c.type,
        case_events.c.at,
        case_events.c.actor,
        case_events.c.data,
    )
    .join(case_events, case_events.c.id == outbox.c.event_id)
    .join(cases, cases.c.id == outbox.c.case_id)
    .order_by(outbox.c.id)
    .limit(bindparam("limit"))
)
_DELETE_ANSWERED = delete(outbox).where(outbox.c.id == bindparam("b_id"))


@dataclass(frozen=True)
class PendingOp:
    id: int
    op_id: str
    case_id: str
    payload: dict[str, Any]


def op_payload(
    op_id: str,
    *,
    case_id: str,
    number: str,
    hall: str,
    window: str,
    seq: int,
    event_id: str,
    type_: str,
    at: datetime,
    actor: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """The wire form of one outbox operation (``contract.wire.Op``)."""
    return {
        "op_id": op_id,
        "case_id": case_id,
        "case_no": number,
        "hall": hall,
        "window": window,
        "seq": seq,
        "event": {
            "id": event_id,
            "type": type_,
            # In the hall's time, as the desk's clock wrote it: a resent op must fingerprint
            # the same on the server as the first send.
            "at": at.astimezone(HALL_TZ).isoformat(),
            "actor": actor,
            "data": dict(data),
        },
    }


def enqueue_ops(conn: Connection, ops: Sequence[dict[str, Any]], now: datetime) -> None:
    """Outbox operations (``op_id``, ``case_id``, ``event_id``), in one executemany."""
    if ops:
        _INSERT_OPS(conn, [{**op, "created_at": now} for op in ops])


def enqueue_dated_ops(conn: Connection, ops: Sequence[dict[str, Any]]) -> None:
    """Outbox operations that carry their own ``created_at``, in one executemany."""
    if ops:
        _INSERT_OPS(conn, list(ops))


def pending_ops(conn: Connection, limit: int) -> list[PendingOp]:
    """The oldest ``limit`` ops, with their payloads, in outbox order."""
    return [
        PendingOp(
            row.id,
            row.op_id,
            row.case_id,
            op_payload(
                row.op_id,
                case_id=row.case_id,
                number=row.number,
                hall=row.hall,
                window=row.window,
                seq=row.seq,
                event_id=row.event_id,
                type_=row.type,
                at=row.at,
                actor=row.actor,
                data=row.data,
            ),
        )
        for row in conn.execute(_PENDING, {"limit": limit})
    ]


def drop_answered(conn: Connection, ids: Sequence[int]) -> None:
    """Delete the ops the server has answered."""
    if ids:
        conn.execute(_DELETE_ANSWERED, [{"b_id": op_id} for op_id in ids])
