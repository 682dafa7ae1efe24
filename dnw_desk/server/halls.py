"""Hall names for the public pages.

A terminal reports the name its hall was set up with; an administrator's name
(``dnw-server halls set``) overrides it and is never overwritten by a terminal, so one
mistyped desk cannot rename a hall for everyone after an administrator has fixed it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, select

from dnw_desk.server.tables import halls

NamedBy = Literal["admin", "terminal"]
MAX_NAME = 64


def clean_name(name: str) -> str:
    """The name as stored: trimmed, one line; ValueError when nothing printable is left."""
    cleaned = " ".join(name.split())
    if not cleaned or any(not ch.isprintable() for ch in cleaned):
        raise ValueError("A hall name must be one line of printable text.")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"A hall name has at most {MAX_NAME} characters.")
    return cleaned


def set_name(conn: Connection, code: str, name: str, by: NamedBy, now: datetime) -> bool:
    """Store ``name`` for ``code``; False when a terminal tried to replace an admin's name."""
    current = conn.execute(select(halls.c.named_by).where(halls.c.code == code)).first()
    if current is None:
        conn.execute(halls.insert().values(code=code, name=name, named_by=by, updated_at=now))
        return True
    if by == "terminal" and current.named_by == "admin":
        return False
    conn.execute(
        halls.update().where(halls.c.code == code).values(name=name, named_by=by, updated_at=now)
    )
    return True


def name_of(conn: Connection, code: str) -> str | None:
    return conn.execute(select(halls.c.name).where(halls.c.code == code)).scalar_one_or_none()


def all_halls(conn: Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        select(halls.c.code, halls.c.name, halls.c.named_by).order_by(halls.c.code)
    ).all()
    return [(row.code, row.name, row.named_by) for row in rows]
