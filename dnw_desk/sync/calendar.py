"""The server's working-day override on the desk: pulled at each sync round, checked, installed,
and the open cases' deadlines recomputed once (docs/calendar-override.md#from-the-server).

A release is installed only if it is signed with the key pinned at enrolment, is newer than the
release installed from this server (an older one, replayed, is refused) and passes the same
rules as a file imported by hand (``domain.calendar_override``). Anything else is refused with a
message the sync status shows, and nothing changes. A desk enrolled before calendar releases
existed has no pinned key: it fetches and pins the server's key on first use, over its
authenticated connection (trust on first use; enrolling again pins it anew).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError
from sqlalchemy import Connection

from dnw_desk.contract.wire import (
    CALENDAR_KEY_PATH,
    CALENDAR_PATH,
    CalendarKey,
    CalendarRelease,
    calendar_signed_bytes,
)
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.calendar_override import CalendarOverride, OverrideError, parse_override
from dnw_desk.i18n import _
from dnw_desk.store.audit import append_audit
from dnw_desk.store.calendar_file import installed_override_path
from dnw_desk.store.database import Database
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.session import ServerSession, SyncFailure, raise_for

ACTOR = "sync"
log = logging.getLogger(__name__)


class CalendarRefused(Exception):
    """The release is not installed; the message says why (shown in the sync status)."""


@dataclass(frozen=True)
class Installed:
    seq: int
    version: str
    changed_case_ids: frozenset[str]


def key_problem(key: CalendarKey) -> str | None:
    try:
        raw = base64.b64decode(key.public_key, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        return _("The server's calendar key is not a valid Ed25519 key.")
    if hashlib.sha256(raw).hexdigest() != key.fingerprint:
        return _("The server's calendar key does not match its fingerprint.")
    return None


def pin_key(conn: Connection, key: CalendarKey, now: datetime, *, first_use: bool) -> None:
    sync_state.set_value(conn, sync_state.CALENDAR_KEY, key.model_dump(), now)
    append_audit(
        conn,
        at=now,
        actor=ACTOR,
        action="calendar.key_pinned",
        detail={"fingerprint": key.fingerprint, "first_use": first_use},
    )


def pinned_key(conn: Connection) -> CalendarKey | None:
    raw = sync_state.get_value(conn, sync_state.CALENDAR_KEY)
    return CalendarKey.model_validate(raw) if isinstance(raw, dict) else None


def verify(release: CalendarRelease, key: CalendarKey, installed_seq: int) -> CalendarOverride:
    """The release's override if it may be installed; ``CalendarRefused`` otherwise."""
    seq = release.seq
    if seq < installed_seq:
        raise CalendarRefused(
            _(
                "the server offers calendar release {seq}, older than release {installed} "
                "installed here"
            ).format(seq=seq, installed=installed_seq)
        )
    if release.key_fingerprint != key.fingerprint:
        raise CalendarRefused(
            _(
                "calendar release {seq} is signed with another key than the one this desk "
                "pinned at enrolment"
            ).format(seq=seq)
        )
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(
            base64.b64decode(release.signature, validate=True),
            calendar_signed_bytes(seq, release.text),
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise CalendarRefused(
            _("the signature of calendar release {seq} does not verify: it was altered").format(
                seq=seq
            )
        ) from None
    try:
        return parse_override(release.text, _("calendar release {seq}").format(seq=seq))
    except OverrideError as exc:
        raise CalendarRefused(exc.describe()) from None


def install(
    db: Database, release: CalendarRelease, override: CalendarOverride, now: datetime
) -> Installed:
    """Write the override file, recompute the open cases' deadlines with it, then record the
    release as installed. A failure puts the previous file back; a crash before the release is
    recorded only means the next round recomputes again, which changes nothing more."""
    from dnw_desk.atomic_file import write_atomically
    from dnw_desk.services.calendar_change import recompute_open_deadlines
    from dnw_desk.services.cases import Terminal
    from dnw_desk.services.desk import deadline_calculator
    from dnw_desk.services.settings import load_settings

    target = installed_override_path(Path(db.path).parent)
    previous = target.read_bytes() if target.exists() else None
    write_atomically(target, release.text.encode("utf-8"))
    try:
        settings = load_settings(db)
        result = recompute_open_deadlines(
            db,
            deadline_calculator(settings, WorkingCalendar(override)),
            Terminal(settings.hall_code, settings.window_no),
            actor=ACTOR,
            now=now,
        )
    except Exception:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            write_atomically(target, previous)
        raise
    with db.write() as conn:
        sync_state.set_value(conn, sync_state.CALENDAR_SEQ, release.seq, now)
        sync_state.set_value(conn, sync_state.CALENDAR_REFUSED, None, now)
        append_audit(
            conn,
            at=now,
            actor=ACTOR,
            action="calendar.installed",
            detail={
                "seq": release.seq,
                "version": override.version,
                "digest": override.digest,
                "key": release.key_fingerprint,
                "changed": len(result.changed),
            },
        )
    return Installed(release.seq, override.version, result.changes.case_ids)


def note_refusal(db: Database, release: CalendarRelease, message: str, now: datetime) -> None:
    """Keep the refusal for the status; audited once per distinct message."""
    with db.write() as conn:
        if sync_state.get_value(conn, sync_state.CALENDAR_REFUSED) == message:
            return
        sync_state.set_value(conn, sync_state.CALENDAR_REFUSED, message, now)
        append_audit(
            conn,
            at=now,
            actor=ACTOR,
            action="calendar.refused",
            detail={"seq": release.seq, "reason": message},
        )


def pull_calendar(session: ServerSession, changed: list[str] | None = None) -> bool:
    """Install the server's latest calendar release if it is new and checks out
    (``sync.calendar``); True when one was installed. ``changed`` receives the cases whose
    deadline moved. A refused release changes nothing and shows in the status."""
    response = session.request("GET", CALENDAR_PATH)
    if response.status_code in (404, 405):
        return False  # nothing published yet, or a server from before calendar releases
    raise_for(response)
    try:
        release = CalendarRelease.model_validate_json(response.content)
    except ValidationError as exc:
        raise SyncFailure("error", _("The server sent an unexpected answer.")) from exc
    with session.db.read() as conn:
        installed_seq = int(sync_state.get_value(conn, sync_state.CALENDAR_SEQ, 0) or 0)
        key = pinned_key(conn)
    if release.seq == installed_seq:
        return False
    if key is None:
        key = _pin_key_on_first_use(session)
    now = session.clock()
    try:
        override = verify(release, key, installed_seq)
    except CalendarRefused as refused:
        log.warning("calendar release %s refused: %s", release.seq, refused)
        note_refusal(session.db, release, str(refused), now)
        return False
    result = install(session.db, release, override, now)
    if changed is not None:
        changed.extend(result.changed_case_ids)
    return True


def _pin_key_on_first_use(session: ServerSession) -> CalendarKey:
    """A desk enrolled before calendar releases pins the key its server gives now."""
    response = session.request("GET", CALENDAR_KEY_PATH)
    raise_for(response)
    try:
        key = CalendarKey.model_validate_json(response.content)
    except ValidationError as exc:
        raise SyncFailure("error", _("The server sent an unexpected answer.")) from exc
    problem = key_problem(key)
    if problem is not None:
        raise SyncFailure("error", problem)
    now = session.clock()
    with session.db.write() as conn:
        pin_key(conn, key, now, first_use=True)
    return key
