"""Logging in and out of the portal."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dnw_desk.i18n import N_, translate_in
from dnw_desk.server.api.deps import DbDep, NowDep
from dnw_desk.server.people import LoginRefused, Role, authenticate
from dnw_desk.server.portal.auth import HEADERS, SessionDep, optional_session, require_csrf
from dnw_desk.server.portal.sessions import COOKIE, end_session, start_session
from dnw_desk.server.portal.views import language, page

router = APIRouter(prefix="/portal", include_in_schema=False)
LOGIN_CSRF = "dnw_login_csrf"  # double-submit token: a login form posted from elsewhere fails
WRONG = N_("Wrong login or password.")
LOCKED = N_("Too many wrong passwords: this login is locked for 15 minutes.")
ENDED = N_("Your session has ended (30 minutes without activity, or logged out). Log in again.")


def _secure(request: Request) -> bool:
    # Behind the reverse proxy uvicorn reports https when started with --proxy-headers.
    return request.url.scheme == "https"


def login_page(
    request: Request, error: str = "", login: str = "", status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        status_code=status_code,
        title=translate_in(language(request), "Log in"),
        session=None,
        login_csrf=token,
        login=login,
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=_secure(request), path="/portal"
    )
    return response


def home_for(role: Role) -> str:
    return "/portal/queue" if role is Role.UNIT else "/portal/office"


@router.get("/")
def home(request: Request, db: DbDep, now: NowDep) -> Response:
    session = optional_session(request, db, now)
    if session is None:
        return RedirectResponse("/portal/login", status_code=303)
    return RedirectResponse(home_for(session.person.role), status_code=303)


@router.get("/login")
def login_form(request: Request) -> Response:
    return login_page(request)


@router.post("/login")
def login(
    request: Request,
    db: DbDep,
    now: NowDep,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    lang = language(request)
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        message = "The form was not sent from this portal (or it is too old): reload the page."
        return login_page(request, translate_in(lang, message), login, 403)
    with db.write() as conn:  # a failure is counted even though the login is refused
        try:
            person = authenticate(conn, login, password, now)
        except LoginRefused as refused:
            person = None
            reason = str(refused)
        if person is not None:
            token, _session = start_session(conn, person, now)
    if person is None:
        message = LOCKED if reason == "locked" else WRONG
        return login_page(request, translate_in(lang, message), login, 401)
    response = RedirectResponse(home_for(person.role), status_code=303, headers=HEADERS)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/portal"
    )
    response.delete_cookie(LOGIN_CSRF, path="/portal")
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    db: DbDep,
    csrf: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    require_csrf(session, csrf)
    with db.write() as conn:
        end_session(conn, session.token_hash)
    response = RedirectResponse("/portal/login", status_code=303, headers=HEADERS)
    response.delete_cookie(COOKIE, path="/portal")
    return response
