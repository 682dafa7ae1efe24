"""The calendar release for desks: the latest signed override and the key that signs it
(terminals only; a desk pins the key at enrolment and verifies every release with it)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from dnw_desk.contract.wire import CALENDAR_KEY_PATH, CALENDAR_PATH, CalendarKey, CalendarRelease
from dnw_desk.server.api.deps import DbDep, SettingsDep, TerminalDep
from dnw_desk.server.calendar_releases import latest_release, public_key

router = APIRouter(tags=["sync"])


@router.get(
    CALENDAR_PATH,
    response_model=CalendarRelease,
    responses={401: {}, 404: {}},
    summary="The latest published working-day override, signed",
)
def latest_calendar(terminal: TerminalDep, db: DbDep) -> CalendarRelease:
    with db.read() as conn:
        release = latest_release(conn)
    if release is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No calendar published yet.")
    return release


@router.get(
    CALENDAR_KEY_PATH,
    response_model=CalendarKey,
    responses={401: {}},
    summary="The public key that signs calendar releases",
)
def calendar_key(terminal: TerminalDep, settings: SettingsDep) -> CalendarKey:
    return public_key(settings)
