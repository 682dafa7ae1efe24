"""Personal data in the server's event store, encrypted at rest.

What the server keeps of a registration: the complainant's name, phone and contact person,
because units call complainants back — encrypted. The ID number, birth date and sex are not
needed by anyone on the server side and are dropped on arrival. Free text (the matter's
description and request, notes, reasons, the unit's opinion) may name people: encrypted too.
Everything else (category, unit, times, kinds) stays in clear for the folds and public views.

Encryption is Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key from
the server's configuration: ``DNW_DATA_KEY``, else the ``data.key`` file that ``dnw-server
init`` writes (mode 0600) in the server's data dir. A sealed event's data carries the ciphertext
under one key, ``"sealed"``; reading it back merges the clear values in again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from dnw_desk.domain.retention import FREE_TEXT_KEYS, MATTER_FREE_TEXT
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase

SEALED = "sealed"
KEY_FILENAME = "data.key"
# Dropped from a registration before it is stored: the server has no use for them.
NOT_KEPT = ("id_number",)


class KeyMissing(RuntimeError):
    pass


class Sealer:
    def __init__(self, keys: list[bytes]) -> None:
        # The first key encrypts; the others still decrypt (key rotation).
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
        clear = dict(data)
        secret: dict[str, Any] = {}
        if event_type == "registered":
            complainant = clear.pop("complainant", None)
            if isinstance(complainant, Mapping):
                secret["complainant"] = {
                    key: ("" if key in NOT_KEPT else value) for key, value in complainant.items()
                }
            clear.pop("derived", None)  # birth date and sex come from the ID number
            matter = clear.get("matter")
            if isinstance(matter, Mapping):
                texts = {key: matter[key] for key in MATTER_FREE_TEXT if key in matter}
                if texts:
                    secret["matter"] = texts
                    clear["matter"] = {k: v for k, v in matter.items() if k not in texts}
        for key in FREE_TEXT_KEYS & clear.keys():
            secret[key] = clear.pop(key)
        if not secret:
            return clear
        token = self._fernet.encrypt(json.dumps(secret, ensure_ascii=False).encode("utf-8"))
        clear[SEALED] = token.decode("ascii")
        return clear

    def seal_bytes(self, content: bytes) -> bytes:
        return self._fernet.encrypt(content)

    def open_bytes(self, sealed: bytes) -> bytes:
        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken:
            raise KeyMissing(
                "A sealed attachment cannot be decrypted with the configured DNW_DATA_KEY."
            ) from None

    def open(self, data: Mapping[str, Any]) -> dict[str, Any]:
        clear = dict(data)
        token = clear.pop(SEALED, None)
        if not isinstance(token, str):
            return clear
        try:
            secret = json.loads(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken:
            raise KeyMissing(
                "Sealed personal data cannot be decrypted with the configured DNW_DATA_KEY."
            ) from None
        matter = secret.pop("matter", None)
        if matter and isinstance(clear.get("matter"), Mapping):
            clear["matter"] = {**clear["matter"], **matter}
        clear.update(secret)
        return clear


def key_path(settings: Settings) -> Path:
    return settings.server_data_dir / KEY_FILENAME


def ensure_key(settings: Settings) -> Path | None:
    """Write a new key file unless a key is configured or the file exists (``init``).
    Returns the file written, if any."""
    path = key_path(settings)
    if settings.data_key or path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key())
    return path


def sealer_for(settings: Settings) -> Sealer:
    keys = [part.strip() for part in settings.data_key.split(",") if part.strip()]
    if not keys:
        path = key_path(settings)
        if not path.exists():
            raise KeyMissing(
                f"No data key: set DNW_DATA_KEY or run `dnw-server init` to write {path}."
            )
        keys = [path.read_text(encoding="ascii").strip()]
    try:
        return Sealer([key.encode("ascii") for key in keys])
    except ValueError as exc:
        raise KeyMissing(f"The data key is not a valid Fernet key: {exc}") from None


_current: Sealer | None = None


def configure(settings: Settings) -> Sealer:
    global _current
    _current = sealer_for(settings)
    return _current


def current_sealer() -> Sealer:
    """The process's sealer (configured by the app or the CLI; else from the environment)."""
    return _current if _current is not None else configure(Settings())


def seal_stored(db: ServerDatabase, sealer: Sealer, batch: int = 500) -> int:
    """Seal the events stored in clear before this version (``dnw-server init``); sealed ones
    are left as they are. Returns how many were sealed."""
    from sqlalchemy import select, update

    from dnw_desk.server.tables import case_events

    sealed = 0
    last = ""
    while True:
        with db.write() as conn:
            rows = conn.execute(
                select(case_events.c.id, case_events.c.type, case_events.c.data)
                .where(case_events.c.id > last)
                .order_by(case_events.c.id)
                .limit(batch)
            ).all()
            if not rows:
                return sealed
            for row in rows:
                data = dict(row.data)
                if SEALED in data:
                    continue
                new = sealer.seal(row.type, data)
                if new != data:
                    conn.execute(
                        update(case_events).where(case_events.c.id == row.id).values(data=new)
                    )
                    sealed += 1
            last = rows[-1].id
