"""Terminal and unit credentials: create, list, revoke, authenticate."""

from __future__ import annotations

from collections.abc import Iterable
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
from dnw_desk.server.tables import terminals, unit_credential_halls, unit_credentials


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
    halls: frozenset[str] = frozenset()  # the halls whose cases it may act on (not the platform)

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
    conn: Connection,
    name: str,
    now: datetime,
    platform: bool = False,
    halls: Iterable[str] = (),
) -> tuple[UnitRecord, str]:
    """A credential for unit ``name`` serving ``halls`` (hall codes; the platform serves all)."""
    name = name.strip()
    if not name:
        raise ValueError("a unit needs a name")
    if len(name) > MAX_UNIT_NAME:
        raise ValueError(f"A unit name is at most {MAX_UNIT_NAME} characters.")
    served = frozenset(normalize_hall_code(hall) for hall in halls)
    if not platform and not served:
        raise ValueError(
            "A unit credential serves at least one hall (--hall CODE): units of the same name "
            "exist in every city."
        )
    token = new_token(UNIT_PREFIX)
    unit_id = conn.execute(
        insert(unit_credentials)
        .values(name=name, platform=platform, token_hash=token_hash(token), created_at=now)
        .returning(unit_credentials.c.id)
    ).scalar_one()
    if served and not platform:
        conn.execute(
            insert(unit_credential_halls),
            [{"credential_id": unit_id, "hall": hall} for hall in sorted(served)],
        )
    return UnitRecord(int(unit_id), name, platform, now, None, served), token


_UNIT_COLUMNS = [
    unit_credentials.c.id,
    unit_credentials.c.name,
    unit_credentials.c.platform,
    unit_credentials.c.created_at,
    unit_credentials.c.revoked_at,
]


def _halls_of(conn: Connection, ids: list[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    if ids:
        rows = conn.execute(
            select(unit_credential_halls).where(unit_credential_halls.c.credential_id.in_(ids))
        )
        for row in rows:
            found.setdefault(row.credential_id, set()).add(row.hall)
    return {key: frozenset(value) for key, value in found.items()}


def list_units(conn: Connection) -> list[UnitRecord]:
    rows = conn.execute(select(*_UNIT_COLUMNS).order_by(unit_credentials.c.id)).all()
    halls = _halls_of(conn, [row.id for row in rows])
    return [UnitRecord(**row._mapping, halls=halls.get(row.id, frozenset())) for row in rows]


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
    if row is None:
        return None
    return UnitRecord(**row._mapping, halls=_halls_of(conn, [row.id]).get(row.id, frozenset()))
