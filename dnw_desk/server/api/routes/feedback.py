"""Units (or the provincial platform) post their steps on a case — the event types the event
table marks ``unit_may_post``: accepted, returned, handling opinion, co-unit opinion, informed,
extension request, rectification report, appeal, note. The desk pulls them into its timeline.
Anything else (deciding a return, granting an extension, deciding an appeal) is the window's:
403 with the reason."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status

from dnw_desk.contract.wire import FeedbackRequest, FeedbackResponse, OpResult, op_fingerprint
from dnw_desk.domain.case import Event, EventType, OpinionKind, deadline_problem, fold
from dnw_desk.domain.event_types import UNIT_POSTABLE
from dnw_desk.server.api.deps import DbDep, NowDep, UnitDep
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.credentials import UnitRecord, hall_refusal
from dnw_desk.server.ops import Authorise, CaseView, Forbidden, Incoming, apply_ops

router = APIRouter(prefix="/api/v1", tags=["feedback"])
FEEDBACK_NAMESPACE = uuid.UUID("6f1c1e53-3a55-4d8e-9b1e-5d2f0c6a7e21")
# Why a unit may not post a step that is not ``unit_may_post`` (the default: the window's own).
_NOT_FOR_UNITS = {
    EventType.RETURN_REVIEWED: "a unit may not decide its own return: the window reviews it",
    EventType.EXTENSION_DECIDED: "a unit may not grant itself an extension: a shift lead "
    "decides its extension_requested",
    EventType.EXTENSION_GRANTED: "a unit may not grant itself an extension: post "
    "extension_requested with a reason and a proposed deadline",
    EventType.APPEAL_DECIDED: "a unit may not decide its own appeal: a shift lead does",
}
# Steps whose ``data.unit`` names who acts; for the lead unit's own steps it is the credential.
_OWN_UNIT_STEPS = UNIT_POSTABLE - {EventType.CO_UNIT_OPINION, EventType.NOTE}
_REQUIRED_TEXT = {
    EventType.UNIT_RETURNED: ("reason", "why the unit returns the case"),
    EventType.EXTENSION_REQUESTED: ("reason", "why the unit needs more time"),
    EventType.CO_UNIT_OPINION: ("text", "the co-unit's opinion"),
    EventType.RECTIFICATION_REPORTED: ("text", "the rectification report"),
    EventType.RATING_APPEALED: ("reason", "the grounds of the appeal"),
}


def _invalid(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": ["body", "data", field], "msg": message, "type": "value_error"}],
    )


def _check_data(kind: EventType, data: dict[str, Any]) -> None:
    if kind is EventType.OPINION_GIVEN:
        if data.get("kind") not in {k.value for k in OpinionKind}:
            raise _invalid("kind", "one of " + ", ".join(k.value for k in OpinionKind))
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _invalid("text", "the handling opinion's text is required")
    if kind is EventType.COMPLAINANT_INFORMED:
        channel = data.get("channel")
        if not isinstance(channel, str) or not channel.strip():
            raise _invalid("channel", "how the complainant was informed (phone, SMS, …)")
    if kind in _REQUIRED_TEXT:
        key, what = _REQUIRED_TEXT[kind]
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _invalid(key, f"{what} is required")
    if kind is EventType.EXTENSION_REQUESTED and not isinstance(data.get("deadline"), str):
        raise _invalid("deadline", "the proposed deadline, an ISO 8601 time with its offset")


def _unit_may_act(unit: str, kind: EventType, view: CaseView) -> str | None:
    """Why this unit may not post this step on this case (None: it may)."""
    state = view.state
    if state is None:
        return f"case {view.number} has no timeline"
    if kind is EventType.CO_UNIT_OPINION:
        return None if unit in state.co_units else f"{unit} is not a co-unit of {view.number}"
    if kind is EventType.RECTIFICATION_REPORTED:
        if state.rectification_unit == unit:
            return None
        return f"the rectification of {view.number} is not {unit}'s"
    if state.lead_unit != unit:
        return f"case {view.number} is not with {unit}"
    return None


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    status_code=status.HTTP_201_CREATED,
    responses={200: {}, 401: {}, 403: {}, 404: {}, 409: {}, 413: {}, 503: {}},
    summary="Record a unit's step on a case (idempotent by op_id)",
)
def post_feedback(
    body: FeedbackRequest, unit: UnitDep, db: DbDep, now: NowDep, response: Response
) -> FeedbackResponse:
    result = record_unit_step(db, unit, body, now)
    response.status_code = result.status
    case_status = ""
    if result.outcome in ("applied", "duplicate"):
        case_status = _case_status(db, body.case_no)
    return FeedbackResponse(result=result, case_no=body.case_no, status=case_status)


def record_unit_step(
    db: ServerDatabase,
    unit: UnitRecord,
    body: FeedbackRequest,
    now: datetime,
    source: str | None = None,
) -> OpResult:
    """Apply a unit's step (the API's and the portal's one path). Raises Forbidden with the
    reason, or HTTPException 422 naming the missing field; ``source`` overrides who is recorded
    as the origin (a portal person instead of a credential)."""
    kind = EventType(body.type)
    if kind not in UNIT_POSTABLE:
        reason = _NOT_FOR_UNITS.get(kind, f"a unit may not record {kind.value}: the window does")
        raise Forbidden(reason)
    _check_data(kind, body.data)
    incoming = _incoming(body, unit, kind, source or unit.source)
    [result] = apply_ops(db, [incoming], _authoriser(unit, kind), now)
    return result


def _incoming(body: FeedbackRequest, unit: UnitRecord, kind: EventType, source: str) -> Incoming:
    # A unit cannot claim that the window recorded its step.
    data = {k: v for k, v in body.data.items() if k != "recorded_by_window"}
    data["by"] = body.by
    if kind in _OWN_UNIT_STEPS and not unit.platform:
        data["unit"] = unit.name  # the credential says who the unit is, not the body
    if kind is EventType.CO_UNIT_OPINION and not unit.platform:
        data["unit"] = unit.name
    return Incoming(
        op_id=body.op_id,
        fingerprint=hashlib.sha256(f"{unit.source}|{op_fingerprint(body)}".encode()).hexdigest(),
        case_no=body.case_no,
        event=Event(
            str(uuid.uuid5(FEEDBACK_NAMESPACE, body.op_id)),
            "",
            kind,
            body.at,
            f"{unit.name}/{body.by}"[:64],
            data,
        ),
        origin="unit",
        source=source,
    )


def _authoriser(unit: UnitRecord, kind: EventType) -> Authorise:
    def authorise(incoming: Incoming, view: CaseView | None) -> OpResult | None:
        if view is None:
            return OpResult(
                op_id=incoming.op_id,
                outcome="not_found",
                status=404,
                code="unknown_case",
                message="No case has this number.",
            )
        problem = deadline_problem(incoming.event)
        if problem is not None:
            raise Forbidden(f"{problem} (case {view.number})")
        if unit.platform:
            return None
        if not unit.serves(view.hall):
            raise Forbidden(hall_refusal(unit, view.number, view.hall))
        if view.state is None and view.timeline:
            view.state = fold(view.timeline)
        refusal = _unit_may_act(unit.name, kind, view)
        if refusal is not None:
            raise Forbidden(refusal)
        return None

    return authorise


def _case_status(db: ServerDatabase, case_no: str) -> str:
    from sqlalchemy import select

    from dnw_desk.server.tables import cases

    with db.read() as conn:
        return str(
            conn.execute(
                select(cases.c.status).where(cases.c.number == case_no)
            ).scalar_one_or_none()
            or ""
        )
