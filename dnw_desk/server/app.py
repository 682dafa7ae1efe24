"""The FastAPI application factory of the central server (docs/rules.md#sync)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError

from dnw_desk import __version__
from dnw_desk.contract.wire import BLOB_PATH
from dnw_desk.domain.attachments import MAX_BYTES as ATTACHMENT_MAX_BYTES
from dnw_desk.server import sealing
from dnw_desk.server.api.routes import (
    attachments,
    audit,
    calendar,
    feedback,
    health,
    open311,
    reports,
    status_page,
    sync,
)
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase, head_revision
from dnw_desk.server.core.limits import BodySizeLimit
from dnw_desk.server.core.logs import install_access_log_redaction
from dnw_desk.server.core.ratelimit import StatusLimiter
from dnw_desk.server.ops import Busy, Forbidden
from dnw_desk.server.portal import BAD_ADDRESS, install_portal, is_portal, message_page
from dnw_desk.server.retention import DailyPurge

# The first purge waits a little after start-up: a restart loop must not purge in a loop.
PURGE_FIRST_DELAY_S = 600.0

DESCRIPTION = """
Central server of the 办不成事 (could-not-get-it-done) complaint windows: the desks' sync API
(push with idempotent op ids, pull with a revision cursor), units' feedback, the public status
page behind the receipt QR code, and a read-only Open311 GeoReport v2 view. No public page or
response carries personal data.
"""


ROUTES = (sync, attachments, audit, calendar, feedback, health, status_page, open311, reports)


class SchemaNotReady(RuntimeError):
    pass


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None,
    *,
    db: ServerDatabase | None = None,
    clock: Callable[[], datetime] = utc_now,
    check_schema: bool = True,
) -> FastAPI:
    settings = settings or Settings()
    database = db or ServerDatabase(settings.resolved_database_url())
    owns_db = db is None
    sealing.configure(settings)  # refuses to build an app without its data key
    purge = DailyPurge(
        database,
        settings.retention_days,
        interval_s=settings.purge_interval_hours * 3600,
        first_delay_s=PURGE_FIRST_DELAY_S,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_access_log_redaction()
        purge.start()
        if check_schema:
            current = database.current_revision()
            if current != head_revision():
                raise SchemaNotReady(
                    f"The server database is at schema {current or 'none'}, not "
                    f"{head_revision()}. Run `dnw-server init` first."
                )
        yield
        purge.stop()
        if owns_db:
            database.dispose()

    app = FastAPI(
        title="dnw-server",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.clock = clock
    app.state.status_limiter = StatusLimiter(database, settings)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        larger={BLOB_PATH + "/": ATTACHMENT_MAX_BYTES + 1},
    )
    for module in ROUTES:
        app.include_router(module.router)
    install_portal(app)
    _install_handlers(app)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/status")

    return app


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if is_portal(request):  # a person typed or edited the address: a page, not JSON
            return message_page(request, 422, BAD_ADDRESS)
        # Never echo the input back: it may hold personal data.
        errors: list[dict[str, Any]] = [
            {
                "loc": list(error.get("loc", ())),
                "msg": error.get("msg", ""),
                "type": error.get("type", ""),
            }
            for error in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> JSONResponse:
        return JSONResponse(
            {"detail": "The server is busy; retry shortly."},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated or _is_unavailable(exc):
            return JSONResponse(
                {"detail": "The database is unavailable; retry shortly."},
                status_code=503,
                headers={"Retry-After": "2"},
            )
        raise exc


def _is_unavailable(exc: DBAPIError) -> bool:
    name = type(exc.orig).__name__
    return name in ("OperationalError", "InterfaceError") or "locked" in str(exc.orig)
