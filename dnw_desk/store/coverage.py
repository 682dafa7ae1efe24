"""Audit entries cover the rows their action wrote (tamper evidence, issue 15).

A write that inserts or changes a case's recorded columns or an event calls ``cover()``; the
next ``append_audit_many`` in the same transaction puts the hashes of those rows, as stored,
into its last entry's ``detail["rows"]``. The chain then protects the hashes, and
``verify_rows`` checks every case and event row against the latest entry that covers it.

Covered are the event rows whole and the columns of a case that only registration (and the
retention purge) write. The case's other columns are a cache of the fold of its events and are
checked by folding them again; the alert level and ``updated_at`` are not checked at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from dnw_desk.contract.sqltypes import to_utc_text
from dnw_desk.store.tables import case_events, cases, column_defaults

_PENDING = "dnw_covered_rows"
RECORDED_CASE_COLUMNS = (
    "id",
    "number",
    "hall",
    "window",
    "day",
    "serial",
    "verification_code",
    "registered_at",
    "clerk_no",
    "category",
    "service_item",
    "complainant_kind",
    "complainant_name",
    "phone",
    "id_number",
    "credit_code",
    "search_text",
    "pii_purged_at",
)
EVENT_COLUMNS = ("id", "case_id", "seq", "type", "at", "actor", "data", "recorded_at", "origin")
_CASE_SELECT = [cases.c[name] for name in RECORDED_CASE_COLUMNS]
_EVENT_SELECT = [case_events.c[name] for name in EVENT_COLUMNS]
IN_CHUNK = 500
# Built once: registration is a hot path, and a fresh select() costs its cache key every call.
_EVENTS_BY_ID = select(*_EVENT_SELECT).where(case_events.c.id.in_(bindparam("ids", expanding=True)))
_CASES_BY_ID = select(*_CASE_SELECT).where(cases.c.id.in_(bindparam("ids", expanding=True)))


def _plain(value: Any) -> Any:
    return to_utc_text(value) if isinstance(value, datetime) else value


def row_hash(row: Mapping[Any, Any], columns: Iterable[str]) -> str:
    canonical = json.dumps(
        {name: _plain(row[name]) for name in columns},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def reset(conn: Connection) -> None:
    """Forget rows noted by an earlier (rolled-back) transaction on this connection."""
    conn.info.pop(_PENDING, None)


@dataclass
class _Pending:
    """What this transaction wrote so far: rows to read back, and rows hashed as inserted."""

    event_ids: set[str] = field(default_factory=set)
    case_ids: set[str] = field(default_factory=set)
    hashed: dict[str, dict[str, str]] = field(default_factory=lambda: {"e": {}, "c": {}})


def _pending(conn: Connection) -> _Pending:
    pending: _Pending = conn.info.setdefault(_PENDING, _Pending())
    return pending


def cover(conn: Connection, *, events: Iterable[str] = (), cases_: Iterable[str] = ()) -> None:
    """Rows this transaction changed: hashed as stored when the audit entry is written."""
    pending = _pending(conn)
    pending.event_ids.update(events)
    pending.case_ids.update(cases_)


def cover_inserted(
    conn: Connection,
    *,
    events: Iterable[Mapping[str, Any]] = (),
    cases_: Iterable[Mapping[str, Any]] = (),
) -> None:
    """Rows this transaction inserted, hashed from the values given to the INSERT (what they
    store, column defaults included) instead of read back: a registration saves a read per row.
    Only for rows whose recorded columns nothing changes later in the same transaction."""
    hashed = _pending(conn).hashed
    for row in events:
        hashed["e"][row["id"]] = row_hash({**_EVENT_DEFAULTS, **row}, EVENT_COLUMNS)
    for row in cases_:
        hashed["c"][row["id"]] = row_hash({**_CASE_DEFAULTS, **row}, RECORDED_CASE_COLUMNS)


_EVENT_DEFAULTS = column_defaults(case_events, EVENT_COLUMNS)
_CASE_DEFAULTS = column_defaults(cases, RECORDED_CASE_COLUMNS)


def take(conn: Connection) -> dict[str, dict[str, str]] | None:
    """The hashes of the rows noted since the last call (those to read back read as stored);
    None if none."""
    pending: _Pending | None = conn.info.pop(_PENDING, None)
    if pending is None:
        return None
    rows = pending.hashed
    if not (pending.event_ids or pending.case_ids or rows["e"] or rows["c"]):
        return None
    event_ids, case_ids = sorted(pending.event_ids), sorted(pending.case_ids)
    for start in range(0, len(event_ids), IN_CHUNK):
        chunk = event_ids[start : start + IN_CHUNK]
        for row in conn.execute(_EVENTS_BY_ID, {"ids": chunk}):
            rows["e"][row.id] = row_hash(row._mapping, EVENT_COLUMNS)
    for start in range(0, len(case_ids), IN_CHUNK):
        chunk = case_ids[start : start + IN_CHUNK]
        for row in conn.execute(_CASES_BY_ID, {"ids": chunk}):
            rows["c"][row.id] = row_hash(row._mapping, RECORDED_CASE_COLUMNS)
    return rows


@dataclass
class Coverage:
    """What the log says each row hashed to, and the entry that said it last."""

    events: dict[str, tuple[str, int]]
    cases: dict[str, tuple[str, int]]

    def add(self, entry_id: int, detail: Mapping[str, Any]) -> None:
        rows = detail.get("rows")
        if not isinstance(rows, Mapping):
            return
        for event_id, digest in dict(rows.get("e") or {}).items():
            self.events[event_id] = (digest, entry_id)
        for case_id, digest in dict(rows.get("c") or {}).items():
            self.cases[case_id] = (digest, entry_id)


# Cached columns compared with the fold of the case's events.
_FOLDED = ("status", "lead_unit", "deadline", "closed_at", "event_count", "returns", "escalated")
MAX_PROBLEMS = 20


def verify_rows(conn: Connection, covered: Coverage) -> list[str]:
    """Every event and case row against the entry that covers it, and every case's cached
    columns against the fold of its events; the first MAX_PROBLEMS problems."""
    from dnw_desk.domain.case import Event, EventType

    problems: list[str] = []
    numbers = _check_case_rows(conn, covered, problems)
    folded_rows = {
        row.id: row for row in conn.execute(select(cases.c.id, *(cases.c[n] for n in _FOLDED)))
    }
    seen_events: set[str] = set()
    timeline: list[Event] = []
    current: str | None = None

    def check_fold() -> None:
        if current is not None and current in folded_rows:
            number = numbers.get(current, current)
            problem = _fold_problem(number, folded_rows[current], timeline)
            if problem is not None:
                problems.append(problem)

    query = select(*_EVENT_SELECT).order_by(case_events.c.case_id, case_events.c.seq)
    for row in conn.execute(query):
        if len(problems) >= MAX_PROBLEMS:
            return problems
        if row.case_id != current:
            check_fold()
            current, timeline = row.case_id, []
        seen_events.add(row.id)
        timeline.append(
            Event(row.id, row.case_id, EventType(row.type), row.at, row.actor, row.data)
        )
        recorded = covered.events.get(row.id)
        number = numbers.get(row.case_id, row.case_id)
        if recorded is None:
            problems.append(f"event {row.id} of case {number} is not covered by any audit entry")
        elif recorded[0] != row_hash(row._mapping, EVENT_COLUMNS):
            problems.append(
                f"event {row.id} of case {number} differs from what entry {recorded[1]} recorded"
            )
    check_fold()
    problems += _missing_rows(covered, seen_events, numbers)
    return problems[:MAX_PROBLEMS]


def _check_case_rows(conn: Connection, covered: Coverage, problems: list[str]) -> dict[str, str]:
    """Each case row against its entry; returns case id → number."""
    numbers: dict[str, str] = {}
    for row in conn.execute(select(*_CASE_SELECT, *(cases.c[n] for n in _FOLDED))):
        numbers[row.id] = row.number
        recorded = covered.cases.get(row.id)
        if recorded is None:
            problems.append(f"case {row.number} is not covered by any audit entry")
        elif recorded[0] != row_hash(row._mapping, RECORDED_CASE_COLUMNS):
            problems.append(f"case {row.number} differs from what entry {recorded[1]} recorded")
    return numbers


def _fold_problem(number: str, stored: Any, timeline: list[Any]) -> str | None:
    """Why the case row's cached columns disagree with the fold of its events, if they do."""
    from dnw_desk.domain.case import fold

    try:
        state = fold(timeline)
    except Exception as exc:  # a timeline that does not fold was tampered with
        return f"case {number}: events do not fold ({exc})"
    expected = {
        "status": state.status.value,
        "lead_unit": state.lead_unit,
        "deadline": state.deadline,
        "closed_at": state.closed_at,
        "event_count": len(timeline),
        "returns": len(state.returns),
        "escalated": state.escalated,
    }
    for name, value in expected.items():
        if getattr(stored, name) != value:
            return f"case {number}: {name} does not match its events"
    return None


def _missing_rows(covered: Coverage, seen_events: set[str], numbers: dict[str, str]) -> list[str]:
    """The first event and the first case an entry recorded that are no longer there."""
    missing: list[str] = []
    for event_id, (_digest, entry_id) in covered.events.items():
        if event_id not in seen_events:
            missing.append(f"event {event_id}, recorded by entry {entry_id}, is missing")
            break
    for case_id, (_digest, entry_id) in covered.cases.items():
        if case_id not in numbers:
            missing.append(f"case {case_id}, recorded by entry {entry_id}, is missing")
            break
    return missing
