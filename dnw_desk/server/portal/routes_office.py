"""The efficiency office's pages: the dashboard, a unit's cases, the bulletin files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from sqlalchemy import select

from dnw_desk.domain.case import STATUS_LABELS
from dnw_desk.domain.unit_figures import month_range, percent
from dnw_desk.i18n import N_, translate_in
from dnw_desk.server.api.deps import DbDep, NowDep
from dnw_desk.server.halls import all_halls
from dnw_desk.server.office_reports import (
    bulletin_file,
    office_figures,
    parse_month,
)
from dnw_desk.server.portal.auth import HEADERS, OfficeSessionDep, PortalError
from dnw_desk.server.portal.queue import returned_by
from dnw_desk.server.portal.sessions import Session
from dnw_desk.server.portal.views import language, page
from dnw_desk.server.tables import case_events, cases
from dnw_desk.services.reference_data import category_names, default_categories

router = APIRouter(prefix="/portal/office", include_in_schema=False)
MonthQuery = Annotated[str, Query(max_length=7)]
HallQuery = Annotated[str, Query(max_length=8)]


def _halls(session: Session, hall: str) -> set[str] | None:
    """The halls the page covers: the person's own hall, or the one chosen (None: all)."""
    own = session.person.hall
    if own is not None:
        if hall and hall != own:
            raise PortalError(status.HTTP_403_FORBIDDEN, N_("Your login covers another hall."))
        return {own}
    return {hall} if hall else None


def _month(request: Request, text: str, now: datetime) -> datetime:
    try:
        month = parse_month(text, now)
    except ValueError:
        message = translate_in(language(request), "The month is YYYY-MM, e.g. 2026-11.")
        raise PortalError(status.HTTP_422_UNPROCESSABLE_CONTENT, message) from None
    return month_range(month)[0]


@router.get("")
def dashboard(
    request: Request,
    session: OfficeSessionDep,
    db: DbDep,
    now: NowDep,
    month: MonthQuery = "",
    hall: HallQuery = "",
) -> Response:
    start = _month(request, month, now)
    halls = _halls(session, hall)
    with db.read() as conn:
        figures = office_figures(conn, start.date(), now, halls)
        choices = [(code, name) for code, name, _by in all_halls(conn)]
    lang = language(request)
    names = dict(choices) | figures.hall_names
    scope = names.get(hall, hall) if hall else translate_in(lang, "All halls")
    if session.person.hall is not None:
        scope = names.get(session.person.hall, session.person.hall)
    return page(
        request,
        "office.html",
        title=translate_in(lang, "Dashboard"),
        session=session,
        month=f"{start:%Y-%m}",
        hall=hall,
        hall_choices=choices if session.person.hall is None else [],
        hall_names=names,
        scope_label=scope,
        rows=figures.rows,
        totals=figures.totals,
        hall_totals=[(code, b.totals) for code, b in figures.bulletins.items()],
        percent=percent,
    )


@router.get("/cases")
def unit_cases(
    request: Request,
    session: OfficeSessionDep,
    db: DbDep,
    now: NowDep,
    unit: Annotated[str, Query(max_length=128)],
    hall: HallQuery,
    month: MonthQuery = "",
) -> Response:
    start = _month(request, month, now)
    _halls(session, hall)
    begin, end = month_range(start.date())
    active = select(case_events.c.case_id).where(case_events.c.at >= begin, case_events.c.at < end)
    query = (
        select(
            cases.c.number,
            cases.c.category,
            cases.c.status,
            cases.c.deadline,
            cases.c.fed_back_at,
            cases.c.on_time,
        )
        .where(
            cases.c.hall == hall,
            (cases.c.lead_unit == unit) | returned_by(unit),  # a return clears the lead
            cases.c.id.in_(active) | ((cases.c.deadline >= begin) & (cases.c.deadline < end)),
        )
        .order_by(cases.c.registered_at.desc())
        .limit(500)
    )
    with db.read() as conn:
        rows = conn.execute(query).all()
        hall_name = dict((code, name) for code, name, _by in all_halls(conn)).get(hall, hall)
    lang = language(request)
    names = category_names(default_categories(), lang)
    return page(
        request,
        "office_cases.html",
        title=unit,
        session=session,
        unit=unit,
        hall=hall,
        hall_name=hall_name,
        month=f"{start:%Y-%m}",
        rows=rows,
        status_labels={s.value: label for s, label in STATUS_LABELS.items()},
        category=lambda code: names[code],
    )


@router.get("/bulletin.{kind}")
def bulletin(
    request: Request,
    kind: str,
    session: OfficeSessionDep,
    db: DbDep,
    now: NowDep,
    month: MonthQuery = "",
    hall: HallQuery = "",
) -> Response:
    if kind not in ("pdf", "xlsx"):
        raise PortalError(status.HTTP_404_NOT_FOUND, N_("The bulletin is a PDF or an XLSX file."))
    start = _month(request, month, now)
    halls = _halls(session, hall)
    lang = language(request)
    with db.read() as conn:
        figures = office_figures(conn, start.date(), now, halls)
        names = {code: name for code, name, _by in all_halls(conn)}
    scope = (
        names.get(next(iter(halls)), next(iter(halls)))
        if halls
        else translate_in(lang, "All halls")
    )
    try:
        content = bulletin_file(figures, kind, lang, scope)
    except ImportError:
        message = N_(
            "This server was installed without the report writers: "
            "pip install 'dnw-desk[server,reports]'."
        )
        raise PortalError(status.HTTP_501_NOT_IMPLEMENTED, message) from None
    media = (
        "application/pdf"
        if kind == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"bulletin-{start:%Y-%m}{'-' + hall if hall else ''}.{kind}"
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media, headers=headers)
