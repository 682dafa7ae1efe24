"""The efficiency office's figures as JSON for the provincial platform:
``GET /api/v1/reports/units?month=YYYY-MM[&hall=CODE]`` with an office bearer token (or a portal
session of the office)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status

from dnw_desk.server.api.deps import BearerDep, DbDep, NowDep, bearer_token
from dnw_desk.server.credentials import office_for_token
from dnw_desk.server.office_reports import figures_json, office_figures, parse_month
from dnw_desk.server.people import Role
from dnw_desk.server.portal.auth import optional_session

router = APIRouter(prefix="/api/v1", tags=["reports"])


def _office_hall(request: Request, db: DbDep, now: NowDep, credentials: BearerDep) -> str | None:
    """The hall the caller may read ("" for the province); 401 for anyone else."""
    if credentials is not None:
        token = bearer_token(credentials)
        with db.read() as conn:
            office = office_for_token(conn, token)
        if office is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "The office token is unknown or revoked."
            )
        return office.hall or ""
    session = optional_session(request, db, now)
    if session is None or session.person.role is Role.UNIT:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "An office token (Authorization: Bearer) or an office login is required.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return session.person.hall or ""


@router.get(
    "/reports/units",
    responses={401: {}, 403: {}, 422: {}},
    summary="Per-unit accountability figures of a month (per hall and unit, hall totals)",
)
def units_report(
    request: Request,
    db: DbDep,
    now: NowDep,
    credentials: BearerDep,
    month: Annotated[str, Query(max_length=7, pattern=r"^\d{4}-\d{2}$")],
    hall: Annotated[str, Query(max_length=8)] = "",
) -> dict[str, Any]:
    allowed = _office_hall(request, db, now, credentials)
    if allowed and hall and hall != allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"This credential covers hall {allowed}.")
    try:
        first = parse_month(month, now)
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    halls = {allowed} if allowed else ({hall} if hall else None)
    with db.read() as conn:
        return figures_json(office_figures(conn, first, now, halls))
