"""A read-only Open311 GeoReport v2 view of the cases (docs/rules.md#sync), without personal data.

``service_request_id`` is the case number, ``service_code`` the category, ``agency_responsible``
the unit, ``expected_datetime`` the deadline and ``status_notes`` the status and the *kind* of
handling opinion, in words. Never the unit's free text: it may name the complainant, and no
scrubber can make free text safe.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Select, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import OPINION_LABELS, STATUS_LABELS, OpinionKind, Status
from dnw_desk.i18n import translate_in
from dnw_desk.server.api.deps import DbDep, NowDep
from dnw_desk.server.tables import cases
from dnw_desk.services.reference_data import default_categories

router = APIRouter(prefix="/open311/v2", tags=["open311"])
MAX_RESULTS = 1000
DEFAULT_SPAN = timedelta(days=90)
CLOSED = (Status.CLOSED.value, Status.NOT_ACCEPTED.value)


class Open311Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: str = "realtime"
    keywords: str = ""
    group: str = "办不成事"


class Open311Request(BaseModel):
    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None = None
    agency_responsible: str | None
    service_notice: str | None = None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class Open311Error(BaseModel):
    code: int
    description: str


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": code, "description": description}], status_code=code)


def _category_names() -> dict[str, str]:
    return {category.code: category.label for category in default_categories()}


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(HALL_TZ).isoformat(timespec="seconds") if moment else None


def _request_of(row: Any, names: dict[str, str]) -> Open311Request:
    status = "closed" if row.status in CLOSED else "open"
    return Open311Request(
        service_request_id=row.number,
        status=status,
        status_notes=status_notes(row.status, row.opinion_kind),
        service_name=names.get(row.category, row.category),
        service_code=row.category,
        agency_responsible=row.lead_unit,
        requested_datetime=_iso(row.registered_at) or "",
        updated_datetime=_iso(row.updated_at) or "",
        expected_datetime=_iso(row.deadline),
    )


def status_notes(status: str, opinion_kind: str | None) -> str:
    """已出具办理意见：已办理 — built from structured fields only."""
    notes = translate_in("zh_CN", STATUS_LABELS[Status(status)])
    try:
        kind = OpinionKind(opinion_kind) if opinion_kind else None
    except ValueError:
        kind = OpinionKind.OTHER
    if kind is not None:
        notes += "：" + translate_in("zh_CN", OPINION_LABELS[kind])
    return notes


_PUBLIC_COLUMNS = [
    cases.c.number,
    cases.c.status,
    cases.c.opinion_kind,
    cases.c.category,
    cases.c.lead_unit,
    cases.c.registered_at,
    cases.c.updated_at,
    cases.c.deadline,
]


@router.get("/services.json", response_model=list[Open311Service])
def services(db: DbDep) -> list[Open311Service]:
    names = _category_names()
    with db.read() as conn:
        seen = set(conn.execute(select(cases.c.category).distinct()).scalars())
    listed = [
        Open311Service(service_code=code, service_name=name, description=name)
        for code, name in names.items()
    ]
    listed += [
        Open311Service(service_code=code, service_name=code, description=code)
        for code in sorted(seen - names.keys())
    ]
    return listed


def _parse_time(value: str, name: str) -> datetime | JSONResponse:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _error(400, f"{name} must be a W3C date-time, e.g. 2026-11-24T00:00:00+08:00")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HALL_TZ)
    if not 2000 <= moment.year <= 2199:
        return _error(400, f"{name} must be between the years 2000 and 2199")
    return moment


@router.get(
    "/requests.json",
    response_model=list[Open311Request],
    responses={400: {"model": list[Open311Error]}},
)
def requests(
    db: DbDep,
    now: NowDep,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    service_code: Annotated[str | None, Query(max_length=16)] = None,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    jurisdiction_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Any:
    names = _category_names()
    query: Select[Any] = select(*_PUBLIC_COLUMNS)
    if service_request_id:
        ids = [part.strip() for part in service_request_id.split(",") if part.strip()][:50]
        query = query.where(cases.c.number.in_(ids))
    else:
        end = _parse_time(end_date, "end_date") if end_date else now
        if isinstance(end, JSONResponse):
            return end
        start = _parse_time(start_date, "start_date") if start_date else end - DEFAULT_SPAN
        if isinstance(start, JSONResponse):
            return start
        query = query.where(cases.c.registered_at >= start, cases.c.registered_at <= end)
        if status:
            wanted = {part.strip() for part in status.split(",")}
            if not wanted <= {"open", "closed"}:
                return _error(400, "status is open, closed or both (comma-separated)")
            if wanted == {"open"}:
                query = query.where(cases.c.status.not_in(CLOSED))
            elif wanted == {"closed"}:
                query = query.where(cases.c.status.in_(CLOSED))
        if service_code:
            query = query.where(cases.c.category == service_code)
    query = query.order_by(cases.c.registered_at.desc(), cases.c.number).limit(MAX_RESULTS)
    with db.read() as conn:
        rows = conn.execute(query).all()
    return [_request_of(row, names) for row in rows]


@router.get(
    "/requests/{service_request_id}.json",
    response_model=list[Open311Request],
    responses={404: {"model": list[Open311Error]}},
)
def request_by_id(db: DbDep, service_request_id: str) -> Any:
    with db.read() as conn:
        row = conn.execute(
            select(*_PUBLIC_COLUMNS).where(cases.c.number == service_request_id[:64])
        ).first()
    if row is None:
        return _error(404, "no service request with this id")
    return [_request_of(row, _category_names())]
