"""The portal (/portal/): server-rendered pages where units work their queue and the efficiency
office reads its figures."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install_portal(app: FastAPI) -> None:
    from dnw_desk.i18n import translate_in
    from dnw_desk.server.portal import routes_login, routes_office, routes_unit
    from dnw_desk.server.portal.auth import HEADERS, LoginRequired, PortalError
    from dnw_desk.server.portal.views import language, page

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
        lang = language(request)
        return page(
            request,
            "message.html",
            status_code=exc.status_code,
            title=translate_in(lang, "Not possible"),
            message=translate_in(lang, exc.message),
            session=None,
        )
