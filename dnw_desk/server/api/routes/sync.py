"""The desk's sync API: push outbox ops, pull units' events, say who the token belongs to."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from dnw_desk.contract.wire import (
    MAX_PULL_PAGE,
    HallName,
    HallNameResult,
    HallUnits,
    Op,
    OpResult,
    PullResponse,
    PushRequest,
    PushResponse,
    TerminalInfo,
    UnitEntry,
    op_fingerprint,
)
from dnw_desk.domain.case import Event, deadline_problem
from dnw_desk.domain.numbering import CaseNumberError, normalize_window, parse_case_number
from dnw_desk.server.api.deps import DbDep, NowDep, TerminalDep
from dnw_desk.server.credentials import TerminalRecord
from dnw_desk.server.halls import clean_name, name_of, set_name
from dnw_desk.server.ops import CaseView, Forbidden, Incoming, apply_ops, pull
from dnw_desk.server.units import list_units

router = APIRouter(prefix="/api/v1", tags=["sync"])


def fingerprint(source: str, op_fingerprint_hex: str) -> str:
    return hashlib.sha256(f"{source}|{op_fingerprint_hex}".encode()).hexdigest()


def _check_owned(terminal: TerminalRecord, index: int, op: Op) -> None:
    """docs/rules.md#numbering: the server rejects a number that does not belong to the pushing
    terminal."""
    try:
        number = parse_case_number(op.case_no)
    except CaseNumberError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"loc": ["body", "ops", index, "case_no"], "msg": str(exc), "type": exc.code}],
        ) from None
    try:
        window = normalize_window(op.window)
    except CaseNumberError:
        window = -1
    terminal_window = int(terminal.window)
    if (
        op.hall != terminal.hall
        or window != terminal_window
        or number.hall != terminal.hall
        or number.window != terminal_window
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"Op {op.op_id} is for {op.case_no} ({op.hall}/{op.window}); this terminal "
            f"is bound to {terminal.hall}/{terminal.window}.",
        )


@router.post(
    "/sync/push",
    response_model=PushResponse,
    responses={401: {}, 403: {}, 413: {}, 503: {}},
    summary="Push a batch of outbox operations (idempotent by op_id)",
)
def push(body: PushRequest, terminal: TerminalDep, db: DbDep, now: NowDep) -> PushResponse:
    for index, op in enumerate(body.ops):
        _check_owned(terminal, index, op)
    items = [
        Incoming(
            op_id=op.op_id,
            fingerprint=fingerprint(terminal.source, op_fingerprint(op)),
            case_no=op.case_no,
            event=Event(
                op.event.id, op.case_id, op.event.type, op.event.at, op.event.actor, op.event.data
            ),
            origin="desk",
            source=terminal.source,
            case_id=op.case_id,
            desk_seq=op.seq,
            hall=terminal.hall,
            window=terminal.window,
            terminal_id=terminal.id,
        )
        for op in body.ops
    ]

    def authorise(item: Incoming, view: CaseView | None) -> OpResult | None:
        if view is not None and (view.hall, view.window) != (terminal.hall, terminal.window):
            raise Forbidden(f"case {view.number} belongs to another window")
        problem = deadline_problem(item.event)
        if problem is not None:
            raise Forbidden(f"{problem} (case {item.case_no}, op {item.op_id})")
        return None

    return PushResponse(results=apply_ops(db, items, authorise, now))


@router.get(
    "/sync/pull",
    response_model=PullResponse,
    responses={401: {}},
    summary="Units' events on this terminal's cases after a revision cursor",
)
def pull_events(
    terminal: TerminalDep,
    db: DbDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = 200,
) -> PullResponse:
    with db.read() as conn:
        return pull(conn, terminal.hall, terminal.window, cursor, limit)


@router.get("/terminal", response_model=TerminalInfo, responses={401: {}})
def whoami(terminal: TerminalDep) -> TerminalInfo:
    return TerminalInfo(
        terminal_id=terminal.id, hall=terminal.hall, window=terminal.window, label=terminal.label
    )


@router.put("/terminal/hall-name", response_model=HallNameResult, responses={401: {}, 422: {}})
def report_hall_name(
    body: HallName, terminal: TerminalDep, db: DbDep, now: NowDep
) -> HallNameResult:
    """The terminal says what its hall is called, for the public status page."""
    try:
        name = clean_name(body.name)
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    with db.write() as conn:
        accepted = set_name(conn, terminal.hall, name, "terminal", now)
        stored = name_of(conn, terminal.hall) or name
    return HallNameResult(hall=terminal.hall, name=stored, accepted=accepted)


@router.get("/terminal/units", response_model=HallUnits, responses={401: {}})
def hall_units(terminal: TerminalDep, db: DbDep) -> HallUnits:
    """The units serving this terminal's hall, with the ids the desk's referrals carry."""
    with db.read() as conn:
        found = list_units(conn, terminal.hall)
    return HallUnits(
        hall=terminal.hall, units=[UnitEntry(id=unit.id, name=unit.name) for unit in found]
    )
