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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection

from dnw_desk.contract.wire import CalendarKey, CalendarRelease, calendar_signed_bytes
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.calendar_override import CalendarOverride, OverrideError, parse_override
from dnw_desk.i18n import _
from dnw_desk.store.audit import append_audit
from dnw_desk.store.calendar_file import installed_override_path
from dnw_desk.store.database import Database
from dnw_desk.sync import state as sync_state

ACTOR = "sync"


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
