"""The working-day override the server distributes to its desks: validated with the desk's own
rules, numbered, signed with the server's Ed25519 key (docs/calendar-override.md#from-the-server).

The signing key is a server secret like the data key: ``DNW_CALENDAR_KEY`` (the raw 32-byte
private key, base64), else the ``calendar-signing.key`` file (mode 0600) in the server's data
dir, written by ``dnw-server init`` or, failing that, on first use. Desks pin its public key at
enrolment; losing the file means enrolling every desk again.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection, func, insert, select

from dnw_desk.contract.wire import CalendarKey, CalendarRelease, calendar_signed_bytes
from dnw_desk.domain.calendar_override import CalendarOverride, parse_override
from dnw_desk.server.core.config import Settings
from dnw_desk.server.tables import calendar_releases

KEY_FILENAME = "calendar-signing.key"


class SigningKeyError(RuntimeError):
    pass


def key_path(settings: Settings) -> Path:
    return settings.server_data_dir / KEY_FILENAME


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes_raw()


def ensure_signing_key(settings: Settings) -> Path | None:
    """Write a new key file unless a key is configured or the file exists; returns the file
    written, if any. Two processes racing here end with the same key (O_EXCL)."""
    path = key_path(settings)
    if settings.calendar_key or path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(_raw(Ed25519PrivateKey.generate())) + b"\n")
    return path


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    encoded = settings.calendar_key.strip()
    if not encoded:
        ensure_signing_key(settings)
        encoded = key_path(settings).read_text(encoding="ascii").strip()
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded, validate=True))
    except ValueError as exc:
        raise SigningKeyError(
            f"The calendar signing key is not a valid Ed25519 key: {exc}"
        ) from None


def public_key(settings: Settings) -> CalendarKey:
    raw = signing_key(settings).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return CalendarKey(
        public_key=base64.b64encode(raw).decode("ascii"),
        fingerprint=hashlib.sha256(raw).hexdigest(),
    )


@dataclass(frozen=True)
class Published:
    seq: int
    override: CalendarOverride
    fingerprint: str


def publish(
    conn: Connection, settings: Settings, text: str, *, by: str, now: datetime
) -> Published:
    """Validate ``text`` with the desk's rules (``OverrideError`` if it fails), sign it as the
    next release and store it. The same content as the latest release is refused."""
    override = parse_override(text, "calendar override")
    latest = latest_release(conn)
    if latest is not None and latest.text == text:
        raise ValueError(f"This file is already the latest release ({latest.seq}).")
    seq = (conn.execute(select(func.max(calendar_releases.c.seq))).scalar() or 0) + 1
    key = signing_key(settings)
    fingerprint = public_key(settings).fingerprint
    signature = base64.b64encode(key.sign(calendar_signed_bytes(seq, text))).decode("ascii")
    conn.execute(
        insert(calendar_releases).values(
            seq=seq,
            version=override.version[:64],
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            text=text,
            signature=signature,
            key_fingerprint=fingerprint,
            published_by=by[:64],
            published_at=now,
        )
    )
    return Published(seq, override, fingerprint)


def latest_release(conn: Connection) -> CalendarRelease | None:
    row = conn.execute(
        select(calendar_releases).order_by(calendar_releases.c.seq.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return CalendarRelease(
        seq=row.seq,
        text=row.text,
        signature=row.signature,
        key_fingerprint=row.key_fingerprint,
        published_at=row.published_at,
    )


def list_releases(conn: Connection) -> list[dict[str, object]]:
    columns = [c for c in calendar_releases.c if c.name not in ("text", "signature")]
    rows = conn.execute(select(*columns).order_by(calendar_releases.c.seq)).all()
    return [dict(row._mapping) for row in rows]
