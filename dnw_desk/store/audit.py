"""The hash-chained audit log (docs/rules.md#privacy).

``hash = SHA-256(prev_hash || canonical row)``, ``prev_hash`` being the hex hash of the entry
before (stored once, as that entry's ``hash``, in 32 bytes). An entry is written in the same
transaction as the action it records. Ids are assigned here (not by SQLite) because they are
part of the hashed row, which is safe because all writes go through the single writer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from dnw_desk.contract.sqltypes import to_utc_text
from dnw_desk.store import coverage
from dnw_desk.store.driver import DriverInsert, driver_connection
from dnw_desk.store.tables import audit_log

GENESIS_HASH = "0" * 64


def canonical_row(
    entry_id: int,
    at: datetime,
    actor: str,
    action: str,
    case_id: str | None,
    detail: Mapping[str, Any],
) -> bytes:
    row = {
        "id": entry_id,
        "at": to_utc_text(at),
        "actor": actor,
        "action": action,
        "case_id": case_id,
        "detail": detail,
    }
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, row: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + row).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    case_id: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


_LAST_ENTRY = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"  # the chain's head
_INSERT_ENTRIES = DriverInsert(audit_log)


def append_audit_many(conn: Connection, entries: Iterable[AuditEntry]) -> int:
    """Chain entries onto the log inside the caller's write transaction, in one executemany.
    Returns how many were written."""
    last = driver_connection(conn).execute(_LAST_ENTRY).fetchone()
    last_id, last_hash = (last[0], bytes(last[1]).hex()) if last else (0, GENESIS_HASH)
    rows = chained_rows(conn, last_id, last_hash, entries)
    if rows:
        _INSERT_ENTRIES(conn, rows)
    return len(rows)


def chained_rows(
    conn: Connection, last_id: int, last_hash: str, entries: Iterable[AuditEntry]
) -> list[dict[str, Any]]:
    """The rows that chain ``entries`` after the entry ``last_id`` whose hash is ``last_hash``;
    the last one carries the hashes of the rows this transaction covered."""
    entry_id, prev_hash = last_id, last_hash
    entries = list(entries)
    covered = coverage.take(conn) if entries else None
    rows = []
    for index, entry in enumerate(entries):
        entry_id += 1
        detail = dict(entry.detail)
        if covered is not None and index == len(entries) - 1:
            detail["rows"] = covered  # the rows this action wrote, as stored
        digest = chain_hash(
            prev_hash,
            canonical_row(entry_id, entry.at, entry.actor, entry.action, entry.case_id, detail),
        )
        rows.append(
            {
                "id": entry_id,
                "at": entry.at,
                "actor": entry.actor,
                "action": entry.action,
                "case_id": entry.case_id,
                "detail": detail,
                "hash": digest,
            }
        )
        prev_hash = digest
    return rows


def append_audit(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    case_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry inside the caller's write transaction."""
    append_audit_many(conn, [AuditEntry(at, actor, action, case_id, detail or {})])


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_id: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def _rows(conn: Connection, batch: int = 5000) -> Iterator[Any]:
    last_id = 0
    while True:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.id > last_id).order_by(audit_log.c.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain(conn: Connection, covered: coverage.Coverage | None = None) -> ChainReport:
    """Walk the chain from the start; report the first entry that does not verify. With
    ``covered``, also collect what the entries say about the rows they wrote."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    count = 0
    for row in _rows(conn):
        if row.id != expected_id:
            return ChainReport(count, row.id, f"entry {expected_id} is missing")
        canonical = canonical_row(row.id, row.at, row.actor, row.action, row.case_id, row.detail)
        if chain_hash(prev_hash, canonical) != row.hash:
            return ChainReport(count, row.id, "its content does not match its hash")
        if covered is not None:
            covered.add(row.id, row.detail)
        prev_hash = row.hash
        expected_id += 1
        count += 1
    return ChainReport(count, head_hash=prev_hash)
