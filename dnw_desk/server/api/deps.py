"""Request dependencies: the database, the clock, and who is calling (never trust a client's
claim about itself: the credential decides the hall, window or unit)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.credentials import (
    TerminalRecord,
    UnitRecord,
    terminal_for_token,
    unit_for_token,
)

_bearer = HTTPBearer(auto_error=False, description="A terminal, unit or office token")
MAX_TOKEN_LENGTH = 256


def get_db(request: Request) -> ServerDatabase:
    db: ServerDatabase = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


DbDep = Annotated[ServerDatabase, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise _unauthorised("A bearer token is required.")
    token = credentials.credentials
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise _unauthorised("The token is not valid.")
    return token


def current_terminal(db: DbDep, credentials: BearerDep) -> TerminalRecord:
    token = bearer_token(credentials)
    with db.read() as conn:
        terminal = terminal_for_token(conn, token)
    if terminal is None:
        raise _unauthorised("The terminal token is unknown or has been revoked.")
    return terminal


def current_unit(db: DbDep, credentials: BearerDep) -> UnitRecord:
    token = bearer_token(credentials)
    with db.read() as conn:
        unit = unit_for_token(conn, token)
    if unit is None:
        raise _unauthorised("The unit token is unknown or has been revoked.")
    return unit


TerminalDep = Annotated[TerminalRecord, Depends(current_terminal)]
UnitDep = Annotated[UnitRecord, Depends(current_unit)]
