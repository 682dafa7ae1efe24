"""Who is using the portal: the session behind the cookie, the CSRF check on every post, and
the responses that send a stranger to the login page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, status

from dnw_desk.i18n import N_
from dnw_desk.server.api.deps import DbDep, NowDep
from dnw_desk.server.people import Role
from dnw_desk.server.portal.sessions import COOKIE, Session, find_session

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
}


class PortalError(Exception):
    """A refusal the portal shows as a page (not the API's JSON)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class LoginRequired(Exception):
    """No live session: the portal answers with the login page (the session may have ended)."""

    def __init__(self, had_cookie: bool) -> None:
        super().__init__("login required")
        self.had_cookie = had_cookie


def optional_session(request: Request, db: DbDep, now: NowDep) -> Session | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with db.write() as conn:  # an expired session is deleted, a live one touched
        return find_session(conn, token, now)


def current_session(request: Request, db: DbDep, now: NowDep) -> Session:
    found = optional_session(request, db, now)
    if found is None:
        raise LoginRequired(bool(request.cookies.get(COOKIE)))
    return found


SessionDep = Annotated[Session, Depends(current_session)]


def unit_session(session: SessionDep) -> Session:
    if session.person.role is not Role.UNIT or session.person.unit is None:
        raise PortalError(status.HTTP_403_FORBIDDEN, N_("This page is for unit liaisons."))
    return session


def office_session(session: SessionDep) -> Session:
    if session.person.role is Role.UNIT:
        raise PortalError(status.HTTP_403_FORBIDDEN, N_("This page is for the efficiency office."))
    return session


UnitSessionDep = Annotated[Session, Depends(unit_session)]
OfficeSessionDep = Annotated[Session, Depends(office_session)]


def require_csrf(session: Session, sent: str | None) -> None:
    if not session.csrf_ok(sent):
        raise PortalError(
            status.HTTP_403_FORBIDDEN,
            N_("The form was not sent from this portal (or it is too old): reload the page."),
        )
