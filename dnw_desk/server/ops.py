"""Applying operations: pushed desk events and units' feedback (docs/rules.md#sync).

A batch is validated in memory against the folded timelines (``dnw_desk.domain.case`` — the same
rules as the desk), then written with a handful of ``executemany`` statements in one transaction:
each op's event *and* its ``applied_ops`` row commit together or not at all, so a retried op is
never applied twice. The revision counter row is bumped as the first write, which serialises
writers for the (short) rest of the transaction and issues revisions in commit order.

Two writers racing on the same op or case meet a unique constraint; the loser retries the whole
batch against the committed state, where the op now reads as a duplicate (one effect).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from dnw_desk.contract.sqltypes import UtcDateTime, to_utc_text
from dnw_desk.contract.wire import OpResult, PulledEvent, PullResponse
from dnw_desk.domain.case import CaseState, Event, EventType, apply_event, fold
from dnw_desk.domain.errors import WorkflowError
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.sealing import Sealer, current_sealer
from dnw_desk.server.tables import applied_ops, case_events, cases, revision_counter

WRITE_ATTEMPTS = 4
IN_CHUNK = 500
COPY_THRESHOLD = 20


try:  # COPY runs on the driver connection, so its errors arrive unwrapped
    from psycopg import errors as _pg_errors

    _DRIVER_CONFLICTS: tuple[type[Exception], ...] = (
        _pg_errors.IntegrityError,
        _pg_errors.SerializationFailure,
        _pg_errors.DeadlockDetected,
    )
except ImportError:  # pragma: no cover - psycopg is a dependency
    _DRIVER_CONFLICTS = ()
RETRYABLE: tuple[type[Exception], ...] = (IntegrityError, OperationalError, *_DRIVER_CONFLICTS)


class Forbidden(Exception):
    """The caller may not touch this case (another terminal's hall/window, another unit)."""


class Busy(Exception):
    """Concurrent writers kept colliding; the client should retry."""


@dataclass(frozen=True)
class Incoming:
    """One op to apply. Desk ops name their case by id; units' feedback by number."""

    op_id: str
    fingerprint: str
    case_no: str
    event: Event
    origin: str  # desk | unit
    source: str
    case_id: str | None = None
    desk_seq: int | None = None
    hall: str = ""
    window: str = ""
    terminal_id: int | None = None


@dataclass
class CaseView:
    """A case as the batch sees it: its stored row (if any) and its timeline."""

    id: str
    number: str
    hall: str
    window: str
    exists: bool
    timeline: list[Event] = field(default_factory=list)
    state: CaseState | None = None
    row: dict[str, Any] = field(default_factory=dict)


# Decides whether the caller may add this op to this case; raises Forbidden, or returns a
# result (e.g. unknown case) to report instead of applying.
Authorise = Callable[[Incoming, CaseView | None], OpResult | None]


def apply_ops(
    db: ServerDatabase, items: Sequence[Incoming], authorise: Authorise, now: datetime
) -> list[OpResult]:
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with db.write() as conn:
                return _apply(conn, items, authorise, now)
        except RETRYABLE as exc:
            if isinstance(exc, OperationalError) and not _is_transient(exc):
                raise
            if attempt == WRITE_ATTEMPTS - 1:
                raise Busy(str(exc)) from exc
    raise AssertionError("unreachable")


def _is_transient(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(word in text for word in ("deadlock", "serializ", "database is locked"))


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = list(values)
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]


def _load(
    conn: Connection, items: Sequence[Incoming]
) -> tuple[dict[str, Any], dict[str, CaseView]]:
    stored: dict[str, Any] = {}
    for chunk in _chunks({item.op_id for item in items}):
        for row in conn.execute(select(applied_ops).where(applied_ops.c.op_id.in_(chunk))):
            stored[row.op_id] = row
    views: dict[str, CaseView] = {}
    ids = {item.case_id for item in items if item.case_id}
    numbers = {item.case_no for item in items}
    rows: list[Any] = []
    for chunk in _chunks(ids):
        rows += conn.execute(select(cases).where(cases.c.id.in_(chunk))).all()
    for chunk in _chunks(numbers):
        rows += conn.execute(select(cases).where(cases.c.number.in_(chunk))).all()
    for row in rows:
        views[row.id] = CaseView(
            row.id, row.number, row.hall, row.window, True, row=dict(row._mapping)
        )
    timelines = timelines_of(conn, views)
    for view in views.values():
        view.timeline = timelines.get(view.id, [])
    return stored, views


def timelines_of(conn: Connection, case_ids: Iterable[str]) -> dict[str, list[Event]]:
    """Each case's whole timeline in order, its personal data opened."""
    timelines: dict[str, list[Event]] = defaultdict(list)
    for chunk in _chunks(case_ids):
        query = (
            select(case_events)
            .where(case_events.c.case_id.in_(chunk))
            .order_by(case_events.c.case_id, case_events.c.position)
        )
        for event_row in conn.execute(query):
            timelines[event_row.case_id].append(_event_of(event_row))
    return dict(timelines)


def _event_of(row: Any) -> Event:
    data = current_sealer().open(row.data)
    return Event(row.id, row.case_id, EventType(row.type), row.at, row.actor, data)


def _conflict(item: Incoming, code: str, message: str, view: CaseView | None = None) -> OpResult:
    return OpResult(
        op_id=item.op_id,
        outcome="conflict",
        status=409,
        code=code,
        message=message,
        server_version=server_version(view) if view and view.exists else None,
    )


def server_version(view: CaseView) -> dict[str, Any]:
    """The server's side of a conflict, for the shift lead: the timeline without the
    registration's personal data."""
    return {
        "case_no": view.number,
        "status": view.state.status.value if view.state else None,
        "events": [
            {
                "id": event.event_id,
                "type": event.type.value,
                "at": event.at.isoformat(),
                "actor": event.actor,
                "data": {} if event.type is EventType.REGISTERED else dict(event.data),
            }
            for event in view.timeline
        ],
    }


def _registration_problem(item: Incoming) -> str | None:
    data = item.event.data
    matter = data.get("matter")
    if data.get("number") != item.case_no:
        return "the registration's number differs from the op's case number"
    code = data.get("verification_code")
    if not isinstance(code, str) or not 4 <= len(code) <= 12:
        return "the registration has no verification code"
    if not isinstance(matter, dict):
        return "the registration has no matter"
    if not isinstance(matter.get("category"), str) or not isinstance(
        matter.get("service_item"), str
    ):
        return "the registration's matter lacks category or service item"
    if len(matter["category"]) > 16:
        return "the category code is longer than 16 characters"
    return None


@dataclass
class _Batch:
    """One batch on its way through the phases: what is stored already, and what the batch
    decided so far, one result per op in op order."""

    stored: dict[str, Any]  # op_id -> its applied_ops row
    views: dict[str, CaseView]  # by case id
    by_number: dict[str, CaseView]
    taken_event_ids: set[str]
    sealer: Sealer
    results: list[OpResult] = field(default_factory=list)
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)  # op_id -> (fingerprint, result)
    new_events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (result, row)
    record: list[tuple[Incoming, int]] = field(default_factory=list)  # applied_ops rows to store
    repeats: list[tuple[int, int]] = field(default_factory=list)  # (result, same op's earlier)
    touched: dict[str, CaseView] = field(default_factory=dict)


def _apply(
    conn: Connection, items: Sequence[Incoming], authorise: Authorise, now: datetime
) -> list[OpResult]:
    """The phases: load what the batch touches, decide each op in memory (de-duplicate,
    authorise, apply), number the new events, write."""
    batch = _load_batch(conn, items)
    for item in items:
        _decide(batch, item, authorise, now)
    last_revision = _number_revisions(conn, batch)
    _write(conn, batch, last_revision, now)
    return batch.results


def _load_batch(conn: Connection, items: Sequence[Incoming]) -> _Batch:
    stored, views = _load(conn, items)
    taken_event_ids = {e.event_id for view in views.values() for e in view.timeline}
    for chunk in _chunks({item.event.event_id for item in items} - taken_event_ids):
        taken_event_ids |= set(
            conn.execute(select(case_events.c.id).where(case_events.c.id.in_(chunk))).scalars()
        )
    by_number = {view.number: view for view in views.values()}
    return _Batch(stored, views, by_number, taken_event_ids, current_sealer())


def _decide(batch: _Batch, item: Incoming, authorise: Authorise, now: datetime) -> None:
    """Append the op's result; stage its event and applied_ops row when it is to be stored."""
    if item.op_id in batch.seen or item.op_id in batch.stored:
        batch.results.append(_repeat(batch, item))
        return
    index = len(batch.results)
    batch.seen[item.op_id] = (item.fingerprint, index)
    view = batch.views.get(item.case_id) if item.case_id else batch.by_number.get(item.case_no)
    refusal = authorise(item, view)
    if refusal is not None:
        batch.results.append(refusal)
        return
    outcome = _apply_one(item, view, batch.views, batch.by_number, batch.taken_event_ids, now)
    if isinstance(outcome, OpResult):
        batch.results.append(outcome)
    else:
        batch.touched[outcome.id] = outcome
        batch.new_events.append((index, _event_row(item, outcome, batch.sealer, now)))
        batch.results.append(OpResult(op_id=item.op_id, outcome="applied", status=201))
    batch.record.append((item, index))


def _repeat(batch: _Batch, item: Incoming) -> OpResult:
    """An op seen before, earlier in this batch or in an earlier one: the same result again,
    as a duplicate (a conflict stays one), unless the op id now carries another payload."""
    if item.op_id in batch.seen:
        fingerprint, index = batch.seen[item.op_id]
        earlier = batch.results[index]
        batch.repeats.append((len(batch.results), index))
    else:
        fingerprint = batch.stored[item.op_id].fingerprint
        earlier = OpResult.model_validate(batch.stored[item.op_id].result)
    if fingerprint != item.fingerprint:
        return _conflict(
            item, "payload_mismatch", "this op_id was already used for a different operation"
        )
    if earlier.outcome == "conflict":
        return earlier
    return earlier.model_copy(update={"outcome": "duplicate", "status": 200})


def _event_row(item: Incoming, view: CaseView, sealer: Sealer, now: datetime) -> dict[str, Any]:
    """The case_events row of an applied op (``view`` holds the event already); its revision is
    issued when the batch is numbered."""
    return {
        "id": item.event.event_id,
        "case_id": view.id,
        "position": len(view.timeline),
        "desk_seq": item.desk_seq,
        "type": item.event.type.value,
        "at": item.event.at,
        "actor": item.event.actor,
        "data": sealer.seal(item.event.type.value, item.event.data),
        "origin": item.origin,
        "source": item.source,
        "recorded_at": now,
    }


def _number_revisions(conn: Connection, batch: _Batch) -> dict[str, int]:
    """Issue the new events' revisions in op order and put each on its op's result (and on a
    repeat of that op in the batch); returns each touched case's last revision."""
    if not batch.new_events:
        return {}
    # The counter row first: from here on this transaction holds it until COMMIT.
    last = conn.execute(
        update(revision_counter)
        .where(revision_counter.c.id == 1)
        .values(value=revision_counter.c.value + len(batch.new_events))
        .returning(revision_counter.c.value)
    ).scalar_one()
    first = int(last) - len(batch.new_events) + 1
    results = batch.results
    last_revision: dict[str, int] = {}
    for revision, (index, row) in enumerate(batch.new_events, start=first):
        row["revision"] = revision
        last_revision[row["case_id"]] = revision
        results[index] = results[index].model_copy(update={"revision": revision})
    for index, earlier_index in batch.repeats:
        if results[index].outcome == "duplicate":
            earlier = results[earlier_index].revision
            results[index] = results[index].model_copy(update={"revision": earlier})
    return last_revision


def _write(conn: Connection, batch: _Batch, last_revision: dict[str, int], now: datetime) -> None:
    if batch.new_events:
        _write_cases(conn, batch.touched, last_revision, now)
        insert_rows(conn, case_events, [row for _index, row in batch.new_events])
    if batch.record:
        insert_rows(
            conn,
            applied_ops,
            [
                {
                    "op_id": item.op_id,
                    "source": item.source,
                    "fingerprint": item.fingerprint,
                    "outcome": batch.results[index].outcome,
                    "result": batch.results[index].model_dump(mode="json"),
                    "applied_at": now,
                }
                for item, index in batch.record
            ],
        )


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert a batch's rows. On PostgreSQL a batch goes through COPY (one stream, inside the
    same transaction): pipelined executemany costs a round of parsing per row and made pushes
    several times slower than the raw insert they are measured against
    (docs/architecture.md#performance-budgets)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy_rows(conn, table, rows)
    else:
        conn.execute(insert(table), rows)


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _copy_converter(column_type: Any) -> Callable[[Any], Any] | None:
    """How COPY gets a column's value as text (None: as it is)."""
    if isinstance(column_type, UtcDateTime):
        return to_utc_text
    if isinstance(column_type, JSON):
        return _compact_json
    return None


def _copy_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    names = list(rows[0])
    columns = ", ".join(f'"{name}"' for name in names)
    # Each column's conversion found once, not asked of every value (~120 000 a 500-op push).
    specs = [(name, _copy_converter(table.c[name].type)) for name in names]
    driver = conn.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    row[name] if convert is None or row[name] is None else convert(row[name])
                    for name, convert in specs
                ]
            )


def _apply_one(
    item: Incoming,
    view: CaseView | None,
    views: dict[str, CaseView],
    by_number: dict[str, CaseView],
    taken_event_ids: set[str],
    now: datetime,
) -> OpResult | CaseView:
    event = item.event
    if event.event_id in taken_event_ids:
        return _conflict(item, "event_exists", "an event with this id is already stored", view)
    if view is None:
        if event.type is not EventType.REGISTERED:
            return _conflict(item, "unknown_case", "the server has no such case")
        if item.case_no in by_number:
            return _conflict(item, "number_taken", "another case already has this number")
        problem = _registration_problem(item)
        if problem:
            return _conflict(item, "invalid_registration", problem)
        assert item.case_id is not None
        view = CaseView(item.case_id, item.case_no, item.hall, item.window, False)
    elif view.number != item.case_no:
        return _conflict(item, "case_mismatch", "the case number does not match the case", view)
    if event.case_id != view.id:
        event = Event(event.event_id, view.id, event.type, event.at, event.actor, event.data)
    try:
        if view.state is None and view.timeline:
            view.state = fold(view.timeline)
        state = apply_event(view.state, event)
    except WorkflowError as exc:
        return _conflict(item, "workflow", str(exc), view)
    except (ValueError, TypeError, KeyError) as exc:
        return _conflict(item, "invalid_data", f"the event data cannot be applied: {exc}", view)
    view.state = state
    view.timeline.append(event)
    if event.type is EventType.REGISTERED:
        views[view.id] = view
        by_number[view.number] = view
        view.row = {
            "terminal_id": item.terminal_id,
            "verification_code": event.data["verification_code"],
            "registered_at": event.at,
            "category": event.data["matter"]["category"],
            "service_item": event.data["matter"]["service_item"],
        }
    taken_event_ids.add(event.event_id)
    return view


def _summary(view: CaseView, last_revision: int, now: datetime) -> dict[str, Any]:
    state = view.state
    assert state is not None
    opinion: dict[str, Any] = {}
    if state.opinion_at is not None:
        for event in reversed(view.timeline):
            if event.type is EventType.OPINION_GIVEN:
                opinion = dict(event.data)
                break
    kind = opinion.get("kind")
    return {
        "status": state.status.value,
        "lead_unit": state.lead_unit,
        "co_units": co_units_column(state.co_units),
        "rectification_unit": state.rectification_unit,
        "referred_at": state.clock_started_at,
        "deadline": state.deadline,
        "deadline_provisional": state.deadline_provisional,
        "opinion_kind": str(kind)[:32] if kind is not None else None,
        "fed_back_at": state.fed_back_at,
        "on_time": state.on_time,
        "closed_at": state.closed_at,
        "event_count": len(view.timeline),
        "last_revision": last_revision,
        "updated_at": now,
    }


def co_units_column(names: Iterable[str]) -> str:
    """How ``cases.co_units`` stores the co-units: "|a|b|", so ``LIKE '%|a|%'`` finds one."""
    joined = "|".join(names)
    return f"|{joined}|" if joined else ""


def _write_cases(
    conn: Connection, touched: dict[str, CaseView], last_revision: dict[str, int], now: datetime
) -> None:
    new_rows = []
    updates = []
    for view in touched.values():
        summary = _summary(view, last_revision[view.id], now)
        if view.exists:
            updates.append({"b_id": view.id, **{f"v_{k}": v for k, v in summary.items()}})
        else:
            new_rows.append(
                {
                    "id": view.id,
                    "number": view.number,
                    "hall": view.hall,
                    "window": view.window,
                    **view.row,
                    **summary,
                }
            )
    insert_rows(conn, cases, new_rows)
    if updates:
        conn.execute(
            update(cases)
            .where(cases.c.id == bindparam("b_id"))
            .values({key[2:]: bindparam(key) for key in updates[0] if key != "b_id"}),
            updates,
        )


def pull(conn: Connection, hall: str, window: str, cursor: int, limit: int) -> PullResponse:
    """Units' events on this window's cases after ``cursor``, in revision order."""
    from dnw_desk.contract.wire import EventIn

    query = (
        select(case_events, cases.c.number)
        .join(cases, cases.c.id == case_events.c.case_id)
        .where(
            # Units' steps, and ratings from the status page (origin "public").
            case_events.c.origin.in_(("unit", "public")),
            case_events.c.revision > cursor,
            cases.c.hall == hall,
            cases.c.window == window,
        )
        .order_by(case_events.c.revision)
        .limit(limit + 1)
    )
    rows = conn.execute(query).all()
    page = rows[:limit]
    sealer = current_sealer()
    events = [
        PulledEvent(
            revision=row.revision,
            case_id=row.case_id,
            case_no=row.number,
            origin=row.origin,
            source=row.source,
            event=EventIn(
                id=row.id,
                type=EventType(row.type),
                at=row.at,
                actor=row.actor,
                data=sealer.open(row.data),
            ),
        )
        for row in page
    ]
    next_cursor = page[-1].revision if page else cursor
    return PullResponse(events=events, next_cursor=next_cursor, has_more=len(rows) > limit)
