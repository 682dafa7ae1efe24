"""A read-only Open311 GeoReport v2 view of the cases (docs/rules.md#sync), without personal data.

``service_request_id`` is the case number, ``service_code`` the category, ``agency_responsible``
the unit, ``expected_datetime`` the deadline and ``status_notes`` the status and the *kind* of
handling opinion, in words. Never the unit's free text: it may name the complainant, and no
scrubber can make free text safe.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
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


Format = Literal["json", "xml"]
# GeoReport v2 makes XML the required format and JSON optional: every resource speaks both.
XML_TYPE = "text/xml; charset=utf-8"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"  # when these endpoints last changed


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> str:
    """``<root><item><field>…</field>…</item>…</root>`` as the specification's examples."""
    element = ET.Element(root)
    for row in rows:
        child = ET.SubElement(element, item)
        for key, value in row.items():
            _xml_value(ET.SubElement(child, key), value)
    return '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="unicode")


def _xml_value(node: ET.Element, value: Any) -> None:
    if isinstance(value, bool):
        node.text = "true" if value else "false"
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(ET.SubElement(node, key), inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(ET.SubElement(node, node.tag.rstrip("s")), inner)
    elif value is not None:
        node.text = str(value)


def _reply(fmt: Format, root: str, item: str, rows: list[BaseModel], status: int = 200) -> Response:
    data = [row.model_dump() for row in rows]
    if fmt == "xml":
        return Response(_xml(root, item, data), status_code=status, media_type=XML_TYPE)
    return JSONResponse(data, status_code=status)


def _error(code: int, description: str, fmt: Format = "json") -> Response:
    return _reply(fmt, "errors", "error", [Open311Error(code=code, description=description)], code)


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


@router.get("/services.{fmt}", response_model=list[Open311Service])
def services(db: DbDep, fmt: Format) -> Response:
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
    return _reply(fmt, "services", "service", list(listed))


def _parse_time(value: str, name: str, fmt: Format) -> datetime | Response:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _error(400, f"{name} must be a W3C date-time, e.g. 2026-11-24T00:00:00+08:00", fmt)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HALL_TZ)
    if not 2000 <= moment.year <= 2199:
        return _error(400, f"{name} must be between the years 2000 and 2199", fmt)
    return moment


@router.get(
    "/requests.{fmt}",
    response_model=list[Open311Request],
    responses={400: {"model": list[Open311Error]}},
)
def requests(
    db: DbDep,
    now: NowDep,
    fmt: Format,
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
        end = _parse_time(end_date, "end_date", fmt) if end_date else now
        if isinstance(end, Response):
            return end
        start = _parse_time(start_date, "start_date", fmt) if start_date else end - DEFAULT_SPAN
        if isinstance(start, Response):
            return start
        query = query.where(cases.c.registered_at >= start, cases.c.registered_at <= end)
        if status:
            wanted = {part.strip() for part in status.split(",")}
            if not wanted <= {"open", "closed"}:
                return _error(400, "status is open, closed or both (comma-separated)", fmt)
            if wanted == {"open"}:
                query = query.where(cases.c.status.not_in(CLOSED))
            elif wanted == {"closed"}:
                query = query.where(cases.c.status.in_(CLOSED))
        if service_code:
            query = query.where(cases.c.category == service_code)
    query = query.order_by(cases.c.registered_at.desc(), cases.c.number).limit(MAX_RESULTS)
    with db.read() as conn:
        rows = conn.execute(query).all()
    return _reply(fmt, "service_requests", "request", [_request_of(row, names) for row in rows])


@router.get(
    "/requests/{service_request_id}.{fmt}",
    response_model=list[Open311Request],
    responses={404: {"model": list[Open311Error]}},
)
def request_by_id(db: DbDep, service_request_id: str, fmt: Format) -> Any:
    with db.read() as conn:
        row = conn.execute(
            select(*_PUBLIC_COLUMNS).where(cases.c.number == service_request_id[:64])
        ).first()
    if row is None:
        return _error(404, "no service request with this id", fmt)
    return _reply(fmt, "service_requests", "request", [_request_of(row, _category_names())])


class Open311Endpoint(BaseModel):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: Format) -> Response:
    """The service discovery document GeoReport v2 requires: where the endpoint is and which
    formats it speaks."""
    base = str(request.base_url).rstrip("/") + "/open311/v2"
    endpoint = Open311Endpoint(
        specification=SPECIFICATION,
        url=base,
        changeset=CHANGESET,
        type="production",
        formats=["text/xml", "application/json"],
    )
    document = {
        "changeset": CHANGESET,
        "contact": "12345 政务服务便民热线",
        "key_service": "read-only: no API key is issued for posting requests",
        "endpoints": [endpoint.model_dump()],
    }
    if fmt == "xml":
        root = ET.Element("discovery")
        for key, value in document.items():
            _xml_value(ET.SubElement(root, key), value)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode")
        return Response(body, media_type=XML_TYPE)
    return JSONResponse(document)
