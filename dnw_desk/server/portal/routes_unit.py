"""The unit's pages: its queue, a case, the steps it records, the phone revealed with a reason,
the case's evidence."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from dnw_desk.clock import HALL_TZ
from dnw_desk.contract.wire import FeedbackRequest, OpResult
from dnw_desk.domain.case import STATUS_LABELS, EventType
from dnw_desk.i18n import N_, speaking, translate_in
from dnw_desk.server.api.deps import DbDep, NowDep
from dnw_desk.server.api.routes.feedback import record_unit_step
from dnw_desk.server.attachments import read_blob
from dnw_desk.server.credentials import UnitRecord
from dnw_desk.server.ops import Forbidden
from dnw_desk.server.portal.auth import HEADERS, PortalError, UnitSessionDep, require_csrf
from dnw_desk.server.portal.case_file import (
    TEXT_MAX,
    CaseFile,
    record_reveal,
    step_forms,
    unit_case,
)
from dnw_desk.server.portal.queue import (
    FILTER_LABELS,
    QueueFilter,
    QueueOrder,
    unit_queue,
)
from dnw_desk.server.portal.sessions import Session
from dnw_desk.server.portal.views import language, page
from dnw_desk.services.reference_data import category_names, default_categories

router = APIRouter(prefix="/portal", include_in_schema=False)
ROLE_LABELS = {"co": N_("Co-unit"), "rectification": N_("Rectification")}
NOT_YOURS = N_("No case with this number is referred to your unit.")
# A portal step is recorded with the same op id however often its form is sent.
PORTAL_NAMESPACE = uuid.UUID("0b7f7a38-5f7e-4a43-8d55-1f3f0c2f9d10")


def _categories(lang: str) -> object:
    names = category_names(default_categories(), lang)
    return lambda code: names[code]


def _unit(session: Session) -> UnitRecord:
    unit = session.person.unit
    assert unit is not None  # unit_session checked it
    return UnitRecord(0, unit.name, False, datetime.now(HALL_TZ), None, unit.halls, unit.id)


@router.get("/queue")
def queue(
    request: Request,
    session: UnitSessionDep,
    db: DbDep,
    now: NowDep,
    filter: Annotated[QueueFilter, Query()] = QueueFilter.OPEN,
    order: Annotated[QueueOrder, Query()] = QueueOrder.DUE,
    page_no: Annotated[int, Query(alias="page", ge=0, le=10_000)] = 0,
) -> Response:
    unit = session.person.unit
    assert unit is not None
    with db.read() as conn:
        rows, more = unit_queue(conn, unit, now, filter, order, page_no)
    lang = language(request)
    return page(
        request,
        "queue.html",
        title=translate_in(lang, "My queue"),
        session=session,
        unit=unit,
        rows=rows,
        more=more,
        page=page_no,
        which=filter.value,
        order=order.value,
        filters=[(key.value, label) for key, label in FILTER_LABELS.items()],
        status_labels=STATUS_LABELS,
        role_labels=ROLE_LABELS,
        category=_categories(lang),
    )


def _case_or_404(
    request: Request, session: Session, db: DbDep, number: str, now: datetime
) -> CaseFile:
    unit = session.person.unit
    assert unit is not None
    # The timeline names who took each step in the page's language (not the server's).
    with db.read() as conn, speaking(language(request)):
        found = unit_case(conn, unit, number, now)
    if found is None:
        raise PortalError(status.HTTP_404_NOT_FOUND, translate_in(language(request), NOT_YOURS))
    return found


def _case_page(
    request: Request,
    session: Session,
    file: CaseFile,
    now: datetime,
    *,
    error: str = "",
    notice: str = "",
    revealed: str = "",
    status_code: int = 200,
) -> Response:
    unit = session.person.unit
    assert unit is not None
    lang = language(request)
    return page(
        request,
        "case.html",
        status_code=status_code,
        title=file.number,
        session=session,
        file=file,
        steps=step_forms(file.state, unit, now),
        text_max=TEXT_MAX,
        status_labels=STATUS_LABELS,
        category=_categories(lang),
        error=error,
        notice=notice,
        revealed=revealed,
    )


@router.get("/cases/{number}")
def case(
    request: Request, number: str, session: UnitSessionDep, db: DbDep, now: NowDep
) -> Response:
    file = _case_or_404(request, session, db, number, now)
    notice = translate_in(language(request), "Saved.") if request.query_params.get("saved") else ""
    return _case_page(request, session, file, now, notice=notice)


@router.post("/cases/{number}/reveal")
async def reveal(
    request: Request, number: str, session: UnitSessionDep, db: DbDep, now: NowDep
) -> Response:
    form = await request.form()
    require_csrf(session, str(form.get("csrf") or ""))
    file = _case_or_404(request, session, db, number, now)
    reason = str(form.get("reason") or "").strip()[:200]
    lang = language(request)
    if not reason:
        message = translate_in(lang, "Say why you need the full number.")
        return _case_page(request, session, file, now, error=message, status_code=422)
    with db.write() as conn:
        record_reveal(conn, session.person.id, file.number, reason, now)
    return _case_page(request, session, file, now, revealed=file.phone)


@router.post("/cases/{number}/steps/{kind}")
async def record_step(
    request: Request, number: str, kind: str, session: UnitSessionDep, db: DbDep, now: NowDep
) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    require_csrf(session, form.get("csrf"))
    file = _case_or_404(request, session, db, number, now)
    lang = language(request)
    unfilled = _unfilled(file, kind, form, session, now, lang)
    if unfilled:
        return _case_page(request, session, file, now, error=unfilled, status_code=422)
    try:
        with speaking(lang):  # the rules word their refusals in the page's language
            bodies = _bodies(file.number, kind, form, session, now)
            results = [_post(db, session, body, now) for body in bodies]
    except (ValueError, ValidationError):
        message = translate_in(lang, "Some fields are missing or not valid: fill in every field.")
        return _case_page(request, session, file, now, error=message, status_code=422)
    except (Forbidden, PortalError) as refused:
        message = translate_in(lang, str(refused))
        return _case_page(request, session, file, now, error=message, status_code=403)
    failed = next((r for r in results if r.outcome not in ("applied", "duplicate")), None)
    if failed is not None:
        fresh = _case_or_404(request, session, db, number, now)
        return _case_page(request, session, fresh, now, error=failed.message or "", status_code=409)
    return RedirectResponse(
        f"/portal/cases/{file.number}?saved=1", status_code=303, headers=HEADERS
    )


def _unfilled(
    file: CaseFile, kind: str, form: dict[str, str], session: Session, now: datetime, lang: str
) -> str:
    """What is wrong with the fields of the form sent, by their labels ("" when nothing): spaces
    pass the browser's "required", and a text past the limit is refused rather than cut."""
    unit = session.person.unit
    assert unit is not None
    step = next((s for s in step_forms(file.state, unit, now) if s.kind == kind), None)
    if step is None:  # not offered now: the rules say why
        return ""
    blank = [translate_in(lang, f.label) for f in step.fields if not form.get(f.name, "").strip()]
    if blank:
        return translate_in(lang, "Fill in: {fields}.").format(fields="、".join(blank))
    for field in step.fields:
        if len(form.get(field.name, "").strip()) > TEXT_MAX:
            message = translate_in(lang, "{field} is too long: at most {limit} characters.")
            return message.format(field=translate_in(lang, field.label), limit=TEXT_MAX)
    return ""


def _post(db: DbDep, session: Session, body: FeedbackRequest, now: datetime) -> OpResult:
    try:
        return record_unit_step(db, _unit(session), body, now, source=f"person:{session.person.id}")
    except HTTPException as invalid:  # a field the rules require is missing
        raise ValueError(str(invalid.detail)) from None


def _local(text: str) -> datetime:
    """A datetime-local field's value, in hall time."""
    return datetime.fromisoformat(text).replace(tzinfo=HALL_TZ)


def _bodies(
    number: str, kind: str, form: dict[str, str], session: Session, now: datetime
) -> list[FeedbackRequest]:
    """The unit steps one form records: informing the complainant through the portal also tells
    the window (the desk sees both on its next pull)."""
    try:
        event_type = EventType(kind)
    except ValueError:
        raise PortalError(status.HTTP_404_NOT_FOUND, N_("No such step.")) from None
    op_id = form.get("op_id") or str(uuid.uuid4())
    data: dict[str, object] = {}
    at = now
    for name in ("reason", "text", "kind", "channel"):
        if form.get(name, "").strip():
            data[name] = form[name].strip()[:TEXT_MAX]
    if event_type is EventType.EXTENSION_REQUESTED:
        data["deadline"] = _local(form.get("deadline", "")).isoformat()
    if event_type is EventType.COMPLAINANT_INFORMED:
        told = _local(form.get("informed_at", ""))
        # The form shows minutes: "this minute" (its default) means now, not its first second.
        at = now if told >= now.astimezone(HALL_TZ).replace(second=0, microsecond=0) else told
    by = session.person.name[:48]
    first = FeedbackRequest(op_id=op_id, case_no=number, type=event_type, at=at, by=by, data=data)
    if event_type is not EventType.COMPLAINANT_INFORMED:
        return [first]
    window_op = str(uuid.uuid5(PORTAL_NAMESPACE, f"{op_id}:window"))
    window = {"channel": "portal"}
    return [
        first,
        FeedbackRequest(
            op_id=window_op,
            case_no=number,
            type=EventType.WINDOW_INFORMED,
            at=at,
            by=by,
            data=window,
        ),
    ]


@router.get("/cases/{number}/attachments/{sha256}")
def attachment(
    request: Request, number: str, sha256: str, session: UnitSessionDep, db: DbDep, now: NowDep
) -> Response:
    file = _case_or_404(request, session, db, number, now)
    if sha256 not in {item.sha256 for item in file.attachments}:
        raise PortalError(status.HTTP_404_NOT_FOUND, N_("No such attachment on this case."))
    with db.read() as conn:
        found = read_blob(conn, sha256)
    if found is None:
        raise PortalError(status.HTTP_404_NOT_FOUND, N_("The attachment was not uploaded yet."))
    content, media_type = found
    headers = {**HEADERS, "Content-Disposition": "inline"}
    return Response(content, media_type=media_type, headers=headers)
