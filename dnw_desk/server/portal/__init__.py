"""The portal (/portal/): server-rendered pages where units work their queue and the efficiency
office reads its figures."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dnw_desk.i18n import N_

STATIC = Path(__file__).parent / "static"
NO_SUCH_PAGE = N_("There is no such page.")
BAD_ADDRESS = N_(
    "The address has a value this page cannot read: open the page from the portal's links."
)


def is_portal(request: Request) -> bool:
    return request.url.path == "/portal" or request.url.path.startswith("/portal/")


def message_page(request: Request, status_code: int, message: str) -> Response:
    """A refusal as a portal page in the reader's language (message: an English msgid)."""
    from dnw_desk.i18n import translate_in
    from dnw_desk.server.portal.views import language, page

    lang = language(request)
    return page(
        request,
        "message.html",
        status_code=status_code,
        title=translate_in(lang, "Not possible"),
        message=translate_in(lang, message),
        session=None,
    )


def install_portal(app: FastAPI) -> None:
    from dnw_desk.i18n import translate_in
    from dnw_desk.server.portal import routes_login, routes_office, routes_unit
    from dnw_desk.server.portal.auth import HEADERS, LoginRequired, PortalError
    from dnw_desk.server.portal.views import language

    for module in (routes_login, routes_unit, routes_office):
        app.include_router(module.router)
    app.mount("/portal/static", StaticFiles(directory=STATIC), name="portal-static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.method == "GET" and not exc.had_cookie:
            return RedirectResponse("/portal/login", status_code=303, headers=HEADERS)
        return routes_login.login_page(
            request, translate_in(language(request), routes_login.ENDED), status_code=401
        )

    @app.exception_handler(PortalError)
    async def portal_error(request: Request, exc: PortalError) -> Response:
        return message_page(request, exc.status_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, exc: StarletteHTTPException) -> Response:
        # The API and the status page keep the framework's JSON; a person gets a page.
        if is_portal(request) and exc.status_code in (404, 405):
            return message_page(request, 404, NO_SUCH_PAGE)
        return await http_exception_handler(request, exc)
