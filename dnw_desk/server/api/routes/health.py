"""Liveness and schema check for load balancers and ``make run``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from dnw_desk.contract.wire import Health
from dnw_desk.server.api.deps import DbDep
from dnw_desk.server.core.db import head_revision

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(db: DbDep, response: Response) -> Health:
    try:
        revision = db.current_revision()
    except Exception:  # the database is down: say so rather than fail
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable", database="unreachable", schema_revision=None)
    if revision != head_revision():
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable", database="not initialised", schema_revision=revision)
    return Health(status="ok", database="ok", schema_revision=revision)
