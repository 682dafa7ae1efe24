"""Terminal and unit credentials: create, list, revoke, authenticate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dnw_desk.domain.numbering import normalize_hall_code, normalize_window
from dnw_desk.server.core.security import (
    OFFICE_PREFIX,
    TERMINAL_PREFIX,
    UNIT_PREFIX,
    new_token,
    token_hash,
)
from dnw_desk.server.tables import office_credentials, terminals, unit_credentials
from dnw_desk.server.units import MAX_UNIT_NAME, ensure_unit, halls_of


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
    """A unit credential: it acts for one unit (``unit_id``) on the cases of that unit's halls;
    a platform credential has no unit and acts for any."""

    id: int
    name: str
    platform: bool
    created_at: datetime
    revoked_at: datetime | None
    halls: frozenset[str] = frozenset()  # the halls whose cases it may act on (not the platform)
    unit_id: int | None = None

    def serves(self, hall: str) -> bool:
        return self.platform or hall in self.halls

    @property
    def source(self) -> str:
        return f"unit:{self.id}"


def hall_refusal(unit: UnitRecord, number: str, hall: str) -> str:
    if not unit.halls:
        return (
            f"this credential of {unit.name} serves no hall (issued before credentials were "
            "bound to halls); ask the administrator for a new one (dnw-server units add "
            "NAME --hall CODE)"
        )
    return (
        f"case {number} is a case of hall {hall}; this credential of {unit.name} serves "
        f"{', '.join(sorted(unit.halls))}"
    )


def normalise_terminal_binding(hall: str, window: str) -> tuple[str, str]:
    """The hall code and window as the desk writes them into case numbers (AH, 08)."""
    return normalize_hall_code(hall), f"{normalize_window(window):02d}"


# The column sizes (tables.py): refused here with a message, not by the database.
MAX_LABEL = 64


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
    conn: Connection,
    name: str,
    now: datetime,
    platform: bool = False,
    halls: Iterable[str] = (),
) -> tuple[UnitRecord, str]:
    """A credential for unit ``name`` serving ``halls`` (hall codes; the platform serves all):
    the unit is created, or extended to the halls it did not serve yet."""
    name = name.strip()
    if not name:
        raise ValueError("a unit needs a name")
    if len(name) > MAX_UNIT_NAME:
        raise ValueError(f"A unit name is at most {MAX_UNIT_NAME} characters.")
    unit_id: int | None = None
    served: frozenset[str] = frozenset()
    if not platform:
        unit = ensure_unit(conn, name, halls, now)
        unit_id, served = unit.id, unit.halls
    token = new_token(UNIT_PREFIX)
    credential_id = conn.execute(
        insert(unit_credentials)
        .values(
            name=name,
            unit_id=unit_id,
            platform=platform,
            token_hash=token_hash(token),
            created_at=now,
        )
        .returning(unit_credentials.c.id)
    ).scalar_one()
    return UnitRecord(int(credential_id), name, platform, now, None, served, unit_id), token


_UNIT_COLUMNS = [
    unit_credentials.c.id,
    unit_credentials.c.name,
    unit_credentials.c.platform,
    unit_credentials.c.created_at,
    unit_credentials.c.revoked_at,
    unit_credentials.c.unit_id,
]


def _unit_records(conn: Connection, rows: list[Any]) -> list[UnitRecord]:
    halls = halls_of(conn, [row.unit_id for row in rows if row.unit_id is not None])
    return [UnitRecord(**row._mapping, halls=halls.get(row.unit_id, frozenset())) for row in rows]


def list_units(conn: Connection) -> list[UnitRecord]:
    rows = conn.execute(select(*_UNIT_COLUMNS).order_by(unit_credentials.c.id)).all()
    return _unit_records(conn, list(rows))


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
    return _unit_records(conn, [row])[0] if row is not None else None


@dataclass(frozen=True)
class OfficeRecord:
    """An efficiency office's reports credential: one hall, or the province (``hall`` None)."""

    id: int
    name: str
    hall: str | None
    created_at: datetime
    revoked_at: datetime | None

    def sees(self, hall: str) -> bool:
        return self.hall is None or self.hall == hall


_OFFICE_COLUMNS = [
    office_credentials.c.id,
    office_credentials.c.name,
    office_credentials.c.hall,
    office_credentials.c.created_at,
    office_credentials.c.revoked_at,
]


def add_office(
    conn: Connection, name: str, now: datetime, hall: str | None = None
) -> tuple[OfficeRecord, str]:
    name = name.strip()
    if not name or len(name) > MAX_UNIT_NAME:
        raise ValueError(f"An office needs a name of at most {MAX_UNIT_NAME} characters.")
    code = normalize_hall_code(hall) if hall else None
    token = new_token(OFFICE_PREFIX)
    office_id = conn.execute(
        insert(office_credentials)
        .values(name=name, hall=code, token_hash=token_hash(token), created_at=now)
        .returning(office_credentials.c.id)
    ).scalar_one()
    return OfficeRecord(int(office_id), name, code, now, None), token


def list_offices(conn: Connection) -> list[OfficeRecord]:
    rows = conn.execute(select(*_OFFICE_COLUMNS).order_by(office_credentials.c.id))
    return [OfficeRecord(**row._mapping) for row in rows]


def revoke_office(conn: Connection, office_id: int, now: datetime) -> bool:
    result = conn.execute(
        update(office_credentials)
        .where(office_credentials.c.id == office_id, office_credentials.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def office_for_token(conn: Connection, token: str) -> OfficeRecord | None:
    row = conn.execute(
        select(*_OFFICE_COLUMNS).where(
            office_credentials.c.token_hash == token_hash(token),
            office_credentials.c.revoked_at.is_(None),
        )
    ).first()
    return OfficeRecord(**row._mapping) if row else None
