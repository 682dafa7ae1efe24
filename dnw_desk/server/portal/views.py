"""What every portal page shares: the language, the page response with its headers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from dnw_desk.server.portal.auth import HEADERS
from dnw_desk.server.portal.pages import LANG_COOKIE, pick_language, render


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    others = {k: v for k, v in request.query_params.items() if k != "lang"}
    switch = urlencode({**others, "lang": "en" if lang == "zh_CN" else "zh_CN"})
    body = render(lang, template, switch_query=switch, **context)
    response = HTMLResponse(body, status_code=status_code, headers=HEADERS)
    if request.query_params.get("lang") == lang:  # remembered for the next pages
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/portal")
    return response
