"""Enrolment: bind this desk to a server with the token an admin created there
(``dnw-server terminals add``). The server says which hall and window the token is for; the
desk refuses a token for another window, since its case numbers carry its own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
from pydantic import ValidationError

from dnw_desk.clock import Clock, system_clock
from dnw_desk.contract.wire import CALENDAR_KEY_PATH, WHOAMI_PATH, CalendarKey, TerminalInfo
from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.numbering import CaseNumberError, normalize_hall_code, normalize_window
from dnw_desk.i18n import _
from dnw_desk.store.database import Database
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.calendar import pin_key
from dnw_desk.sync.credentials import CredentialStore


class EnrolmentError(DomainError):
    pass


def same_binding(info: TerminalInfo, hall: str, window: str) -> bool:
    try:
        return normalize_hall_code(hall) == info.hall and normalize_window(window) == int(
            info.window
        )
    except (CaseNumberError, ValueError):
        return False


def binding_problem(enrolment: sync_state.Enrolment, hall: str, window: str) -> str | None:
    """Why this desk's cases cannot be pushed with its credential, or None when they can.

    The server binds a terminal's credential to one hall and window; an admin who changes them
    in the settings (or a first-run wizard that chose others) needs a credential for the new
    window before anything syncs again."""
    if enrolment.hall is None or enrolment.window is None:
        return None  # an older enrolment: the server's 403 says it instead
    info = TerminalInfo(
        terminal_id=enrolment.terminal_id, hall=enrolment.hall, window=enrolment.window
    )
    if same_binding(info, hall, window):
        return None
    return wrong_window_message(enrolment.hall, enrolment.window, hall, window)


def wrong_window_message(token_hall: str, token_window: str, hall: str, window: str) -> str:
    return _(
        "This terminal's server credential is for hall {token_hall} window {token_window}, but "
        "this desk is now hall {hall} window {window}. Nothing syncs until an administrator "
        "enrols it again with a token for this window (dnw-desk enrol)."
    ).format(token_hall=token_hall, token_window=token_window, hall=hall, window=window)


def enrol(
    db: Database,
    data_dir: Path,
    server_url: str,
    token: str,
    *,
    hall: str,
    window: str,
    clock: Clock = system_clock,
    transport: httpx.BaseTransport | None = None,
    store: CredentialStore | None = None,
) -> tuple[TerminalInfo, str]:
    """Check the token with the server, then store it; returns the terminal and where the
    credential went ("keyring" or "file")."""
    server_url = server_url.strip().rstrip("/")
    if not server_url.startswith(("http://", "https://")):
        raise EnrolmentError(_("The server address must start with http:// or https://."))
    token = token.strip()
    try:
        with httpx.Client(base_url=server_url, timeout=15.0, transport=transport) as http:
            headers = {"Authorization": f"Bearer {token}"}
            response = http.get(WHOAMI_PATH, headers=headers)
            key_response = http.get(CALENDAR_KEY_PATH, headers=headers)
    except httpx.TransportError as exc:
        raise EnrolmentError(
            _("The server {url} cannot be reached: {error}").format(url=server_url, error=exc)
        ) from exc
    if response.status_code == 401:
        raise EnrolmentError(_("The server refused the token (unknown or revoked)."))
    if response.status_code != 200:
        raise EnrolmentError(
            _("The server answered {status}; is this a dnw-server?").format(
                status=response.status_code
            )
        )
    try:
        info = TerminalInfo.model_validate_json(response.content)
    except ValidationError as exc:
        raise EnrolmentError(_("The server's answer is not what a dnw-server sends.")) from exc
    if not same_binding(info, hall, window):
        raise EnrolmentError(
            _(
                "The token is for hall {token_hall} window {token_window}, but this desk is "
                "hall {hall} window {window}. Ask for a token for this window."
            ).format(token_hall=info.hall, token_window=info.window, hall=hall, window=window)
        )
    calendar_key = _calendar_key(key_response)
    location = (store or CredentialStore(data_dir)).save(token)
    _remember(db, server_url, info, location, calendar_key, clock())
    return info, location


def _remember(
    db: Database,
    server_url: str,
    info: TerminalInfo,
    location: str,
    calendar_key: CalendarKey | None,
    now: datetime,
) -> None:
    with db.write() as conn:
        previous = sync_state.get_value(conn, sync_state.SERVER_URL)
        sync_state.set_value(conn, sync_state.SERVER_URL, server_url, now)
        sync_state.set_value(conn, sync_state.TERMINAL_ID, info.terminal_id, now)
        sync_state.set_value(conn, sync_state.CREDENTIAL, location, now)
        sync_state.set_value(conn, sync_state.ENROLLED_HALL, info.hall, now)
        sync_state.set_value(conn, sync_state.ENROLLED_WINDOW, info.window, now)
        sync_state.set_value(conn, sync_state.LAST_ERROR, None, now)
        sync_state.set_value(conn, sync_state.CALENDAR_REFUSED, None, now)
        if previous != server_url:
            sync_state.set_value(conn, sync_state.PULL_CURSOR, 0, now)
            # Another server numbers its calendar releases anew.
            sync_state.set_value(conn, sync_state.CALENDAR_SEQ, 0, now)
        if calendar_key is not None:
            pin_key(conn, calendar_key, now, first_use=False)


def _calendar_key(response: httpx.Response) -> CalendarKey | None:
    """The server's calendar signing key, pinned with the credential (None: a server from
    before calendar releases; the desk pins the key on first use after its upgrade)."""
    from dnw_desk.sync.calendar import key_problem

    if response.status_code in (404, 405):
        return None
    try:
        key = CalendarKey.model_validate_json(response.content)
    except ValidationError as exc:
        raise EnrolmentError(_("The server's answer is not what a dnw-server sends.")) from exc
    problem = key_problem(key)
    if problem is not None:
        raise EnrolmentError(problem)
    return key
