"""The public status page behind the receipt's QR code (no login, no personal data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from dnw_desk.domain.case import Satisfaction
from dnw_desk.server.api.deps import DbDep, NowDep
from dnw_desk.server.core.ratelimit import StatusLimiter
from dnw_desk.server.public import (
    PublicCase,
    lookup,
    lookup_key,
    pick_language,
    render_case,
    render_locked,
    render_lookup_form,
    render_not_found,
    render_rated,
    render_too_many,
    sole_hall_name,
)
from dnw_desk.server.rating import COMMENT_MAX, record_online_rating

router = APIRouter(tags=["public"])
CodeQuery = Annotated[str, Query(max_length=32)]
LangQuery = Annotated[str, Query(max_length=8)]
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


def _client(request: Request) -> str:
    # uvicorn puts the X-Forwarded-For address here only for proxies named with
    # --forwarded-allow-ips; otherwise it is the connection's peer.
    return request.client.host if request.client else "unknown"


def _find(
    request: Request, db: DbDep, number: str, code: str, language: str
) -> PublicCase | HTMLResponse:
    """The case, through the same limits as every lookup; else the page to answer with."""
    limiter: StatusLimiter = request.app.state.status_limiter
    if not limiter.allow_client(_client(request)):
        headers = {**HEADERS, "Retry-After": str(limiter.retry_after())}
        return HTMLResponse(render_too_many(language), status_code=429, headers=headers)
    key = lookup_key(number[:64])
    if key is not None and limiter.case_locked(key):
        return HTMLResponse(render_locked(language), status_code=429, headers=HEADERS)
    with db.read() as conn:
        case = lookup(conn, number[:64], code)
    if case is None:
        if key is not None:
            limiter.wrong_code(key)
        return HTMLResponse(render_not_found(language), status_code=404, headers=HEADERS)
    return case


def _show(request: Request, db: DbDep, number: str, code: str, lang: str) -> HTMLResponse:
    language = pick_language(lang)
    case = _find(request, db, number, code, language)
    if isinstance(case, HTMLResponse):
        return case
    return HTMLResponse(render_case(case, language, code), headers=HEADERS)


@router.get("/status", response_class=HTMLResponse)
def lookup_form(db: DbDep, lang: LangQuery = "") -> HTMLResponse:
    with db.read() as conn:
        hall_name = sole_hall_name(conn)
    return HTMLResponse(render_lookup_form(pick_language(lang), hall_name), headers=HEADERS)


@router.get("/status/lookup", response_class=HTMLResponse, responses={404: {}, 429: {}})
def lookup_by_form(
    request: Request,
    db: DbDep,
    number: Annotated[str, Query(max_length=64)] = "",
    code: CodeQuery = "",
    lang: LangQuery = "",
) -> HTMLResponse:
    return _show(request, db, number, code, lang)


@router.get("/status/{case_no}", response_class=HTMLResponse, responses={404: {}, 429: {}})
def status_page(
    request: Request, db: DbDep, case_no: str, code: CodeQuery = "", lang: LangQuery = ""
) -> HTMLResponse:
    return _show(request, db, case_no, code, lang)


@router.post(
    "/status/{case_no}/rating", response_class=HTMLResponse, responses={404: {}, 409: {}, 429: {}}
)
def rate_case(
    request: Request,
    db: DbDep,
    now: NowDep,
    case_no: str,
    level: Annotated[str, Form(max_length=24)] = "",
    comment: Annotated[str, Form(max_length=COMMENT_MAX * 2)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
    lang: Annotated[str, Form(max_length=8)] = "",
) -> HTMLResponse:
    """一事一评 after the unit's feedback: once per case and round, rate-limited like a lookup."""
    language = pick_language(lang)
    case = _find(request, db, case_no, code, language)
    if isinstance(case, HTMLResponse):
        return case
    try:
        satisfaction = Satisfaction(level)
    except ValueError:
        satisfaction = None
    applied = False
    if case.rating_round is not None and satisfaction is not None:
        result = record_online_rating(
            db, case.number, case.rating_round, satisfaction, comment, now
        )
        applied = result.outcome == "applied"
    page = render_rated(language, case.number, code, applied)
    return HTMLResponse(page, status_code=201 if applied else 409, headers=HEADERS)
