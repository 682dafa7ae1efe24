"""Terminal and unit credentials: create, list, revoke, authenticate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from dnw_desk.domain.numbering import normalize_hall_code, normalize_window
from dnw_desk.server.core.security import (
    TERMINAL_PREFIX,
    UNIT_PREFIX,
    new_token,
    token_hash,
)
from dnw_desk.server.tables import terminals, unit_credentials


@dataclass(frozen=True)
class TerminalRecord:
    id: int
    hall: str
    window: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None

    @property
    def source(self) -> str:
        return f"terminal:{self.id}"


@dataclass(frozen=True)
class UnitRecord:
    id: int
    name: str
    platform: bool
    created_at: datetime
    revoked_at: datetime | None

    @property
    def source(self) -> str:
        return f"unit:{self.id}"


def normalise_terminal_binding(hall: str, window: str) -> tuple[str, str]:
    """The hall code and window as the desk writes them into case numbers (AH, 08)."""
    return normalize_hall_code(hall), f"{normalize_window(window):02d}"


# The column sizes (tables.py): refused here with a message, not by the database.
MAX_LABEL = 64
MAX_UNIT_NAME = 128


class WindowTaken(ValueError):
    """An active terminal is already bound to this hall and window."""

    def __init__(self, existing: TerminalRecord) -> None:
        super().__init__(
            f"Terminal {existing.id} is already active for {existing.hall}/{existing.window}. "
            "One window has one terminal: add --replace to revoke it and create the new one."
        )
        self.existing = existing


def add_terminal(
    conn: Connection,
    hall: str,
    window: str,
    now: datetime,
    label: str = "",
    *,
    replace: bool = False,
) -> tuple[TerminalRecord, str]:
    """A new terminal for hall/window. An active one already there is refused, or revoked in
    the same transaction with ``replace`` (one window, one credential: a lost PC's token must
    not keep working beside its replacement's)."""
    hall, window = normalise_terminal_binding(hall, window)
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise ValueError(f"A terminal label is at most {MAX_LABEL} characters.")
    for existing in active_terminals_at(conn, hall, window):
        if not replace:
            raise WindowTaken(existing)
        revoke_terminal(conn, existing.id, now)
    token = new_token(TERMINAL_PREFIX)
    terminal_id = conn.execute(
        insert(terminals)
        .values(hall=hall, window=window, label=label, token_hash=token_hash(token), created_at=now)
        .returning(terminals.c.id)
    ).scalar_one()
    record = get_terminal(conn, int(terminal_id))
    assert record is not None
    return record, token


_TERMINAL_COLUMNS = [
    terminals.c.id,
    terminals.c.hall,
    terminals.c.window,
    terminals.c.label,
    terminals.c.created_at,
    terminals.c.revoked_at,
    terminals.c.last_seen_at,
]


def active_terminals_at(conn: Connection, hall: str, window: str) -> list[TerminalRecord]:
    rows = conn.execute(
        select(*_TERMINAL_COLUMNS).where(
            terminals.c.hall == hall,
            terminals.c.window == window,
            terminals.c.revoked_at.is_(None),
        )
    )
    return [TerminalRecord(**row._mapping) for row in rows]


def get_terminal(conn: Connection, terminal_id: int) -> TerminalRecord | None:
    row = conn.execute(select(*_TERMINAL_COLUMNS).where(terminals.c.id == terminal_id)).first()
    return TerminalRecord(**row._mapping) if row else None


def list_terminals(conn: Connection) -> list[TerminalRecord]:
    rows = conn.execute(select(*_TERMINAL_COLUMNS).order_by(terminals.c.id))
    return [TerminalRecord(**row._mapping) for row in rows]


def revoke_terminal(conn: Connection, terminal_id: int, now: datetime) -> bool:
    result = conn.execute(
        update(terminals)
        .where(terminals.c.id == terminal_id, terminals.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def terminal_for_token(conn: Connection, token: str) -> TerminalRecord | None:
    """The active terminal holding ``token``; None when unknown or revoked."""
    row = conn.execute(
        select(*_TERMINAL_COLUMNS).where(
            terminals.c.token_hash == token_hash(token), terminals.c.revoked_at.is_(None)
        )
    ).first()
    return TerminalRecord(**row._mapping) if row else None


def add_unit(
    conn: Connection, name: str, now: datetime, platform: bool = False
) -> tuple[UnitRecord, str]:
    name = name.strip()
    if not name:
        raise ValueError("a unit needs a name")
    if len(name) > MAX_UNIT_NAME:
        raise ValueError(f"A unit name is at most {MAX_UNIT_NAME} characters.")
    token = new_token(UNIT_PREFIX)
    unit_id = conn.execute(
        insert(unit_credentials)
        .values(name=name, platform=platform, token_hash=token_hash(token), created_at=now)
        .returning(unit_credentials.c.id)
    ).scalar_one()
    return UnitRecord(int(unit_id), name, platform, now, None), token


_UNIT_COLUMNS = [
    unit_credentials.c.id,
    unit_credentials.c.name,
    unit_credentials.c.platform,
    unit_credentials.c.created_at,
    unit_credentials.c.revoked_at,
]


def list_units(conn: Connection) -> list[UnitRecord]:
    rows = conn.execute(select(*_UNIT_COLUMNS).order_by(unit_credentials.c.id))
    return [UnitRecord(**row._mapping) for row in rows]


def revoke_unit(conn: Connection, unit_id: int, now: datetime) -> bool:
    result = conn.execute(
        update(unit_credentials)
        .where(unit_credentials.c.id == unit_id, unit_credentials.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def unit_for_token(conn: Connection, token: str) -> UnitRecord | None:
    row = conn.execute(
        select(*_UNIT_COLUMNS).where(
            unit_credentials.c.token_hash == token_hash(token),
            unit_credentials.c.revoked_at.is_(None),
        )
    ).first()
    return UnitRecord(**row._mapping) if row else None
