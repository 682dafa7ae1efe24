"""Responsible units as entities: a name and the halls it serves (its jurisdiction).

Names repeat across cities, so a unit is found by (hall, name): within one hall a name names one
unit, and a case refers to its unit by that name. Credentials and portal people point at the
unit's id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from dnw_desk.domain.numbering import normalize_hall_code
from dnw_desk.server.tables import unit_halls, units

MAX_UNIT_NAME = 128


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    halls: frozenset[str]

    def serves(self, hall: str) -> bool:
        return hall in self.halls


class UnitConflict(ValueError):
    """The halls named belong to different units of this name."""


def ensure_unit(conn: Connection, name: str, halls: Iterable[str], now: datetime) -> Unit:
    """The unit ``name`` serving ``halls``: the one that already serves one of them (extended to
    the others), or a new one."""
    name = name.strip()
    if not name:
        raise ValueError("a unit needs a name")
    if len(name) > MAX_UNIT_NAME:
        raise ValueError(f"A unit name is at most {MAX_UNIT_NAME} characters.")
    wanted = frozenset(normalize_hall_code(hall) for hall in halls)
    if not wanted:
        raise ValueError(
            "A unit serves at least one hall (--hall CODE): units of the same name exist in "
            "every city."
        )
    owners = set(
        conn.execute(
            select(unit_halls.c.unit_id).where(
                unit_halls.c.name == name, unit_halls.c.hall.in_(sorted(wanted))
            )
        ).scalars()
    )
    if len(owners) > 1:
        raise UnitConflict(
            f"The halls {', '.join(sorted(wanted))} belong to different units named {name}; "
            "add each hall to its own unit."
        )
    if owners:
        unit_id = int(owners.pop())
    else:
        unit_id = int(
            conn.execute(
                insert(units).values(name=name, created_at=now).returning(units.c.id)
            ).scalar_one()
        )
    have = halls_of(conn, [unit_id]).get(unit_id, frozenset())
    missing = sorted(wanted - have)
    if missing:
        conn.execute(
            insert(unit_halls),
            [{"unit_id": unit_id, "hall": hall, "name": name} for hall in missing],
        )
    return Unit(unit_id, name, have | wanted)


def halls_of(conn: Connection, unit_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    ids = sorted(set(unit_ids))
    found: dict[int, set[str]] = {}
    if ids:
        rows = conn.execute(
            select(unit_halls.c.unit_id, unit_halls.c.hall).where(unit_halls.c.unit_id.in_(ids))
        )
        for unit_id, hall in rows:
            found.setdefault(int(unit_id), set()).add(hall)
    return {key: frozenset(value) for key, value in found.items()}


def get_unit(conn: Connection, unit_id: int) -> Unit | None:
    row = conn.execute(select(units.c.id, units.c.name).where(units.c.id == unit_id)).first()
    if row is None:
        return None
    return Unit(int(row.id), row.name, halls_of(conn, [row.id]).get(int(row.id), frozenset()))


def list_units(conn: Connection, hall: str | None = None) -> list[Unit]:
    query = select(units.c.id, units.c.name).order_by(units.c.id)
    if hall is not None:
        query = query.where(
            units.c.id.in_(select(unit_halls.c.unit_id).where(unit_halls.c.hall == hall))
        )
    rows = conn.execute(query).all()
    halls = halls_of(conn, [row.id for row in rows])
    return [Unit(int(row.id), row.name, halls.get(int(row.id), frozenset())) for row in rows]
