"""Units (or the provincial platform) post their steps on a case: accepted, returned, handling
opinion, complainant and window informed. The desk pulls them into its timeline."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status

from dnw_desk.domain.case import Event, EventType, OpinionKind, fold
from dnw_desk.server.api.deps import DbDep, NowDep, UnitDep
from dnw_desk.server.ops import CaseView, Forbidden, Incoming, apply_ops
from dnw_desk.sync.wire import FeedbackRequest, FeedbackResponse, OpResult, op_fingerprint

router = APIRouter(prefix="/api/v1", tags=["feedback"])
FEEDBACK_NAMESPACE = uuid.UUID("6f1c1e53-3a55-4d8e-9b1e-5d2f0c6a7e21")
UNIT_EVENTS = frozenset({EventType.UNIT_ACCEPTED, EventType.UNIT_RETURNED, EventType.OPINION_GIVEN})


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
    if kind is EventType.UNIT_RETURNED:
        reason = data.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise _invalid("reason", "why the unit returns the case")


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
    kind = EventType(body.type)
    _check_data(kind, body.data)
    data = {**body.data, "by": body.by}
    if kind in UNIT_EVENTS and not unit.platform:
        data["unit"] = unit.name  # the credential says who the unit is, not the body
    item = Incoming(
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
        source=unit.source,
    )

    def authorise(incoming: Incoming, view: CaseView | None) -> OpResult | None:
        if view is None:
            return OpResult(
                op_id=incoming.op_id,
                outcome="not_found",
                status=404,
                code="unknown_case",
                message="No case has this number.",
            )
        if unit.platform:
            return None
        if view.state is None and view.timeline:
            view.state = fold(view.timeline)
        if view.state is None or view.state.lead_unit != unit.name:
            raise Forbidden(f"case {view.number} is not with {unit.name}")
        return None

    [result] = apply_ops(db, [item], authorise, now)
    response.status_code = result.status
    case_status = ""
    if result.outcome in ("applied", "duplicate"):
        from sqlalchemy import select

        from dnw_desk.server.tables import cases

        with db.read() as conn:
            case_status = str(
                conn.execute(
                    select(cases.c.status).where(cases.c.number == body.case_no)
                ).scalar_one_or_none()
                or ""
            )
    return FeedbackResponse(result=result, case_no=body.case_no, status=case_status)
