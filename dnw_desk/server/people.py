"""The people who log in to the portal: unit liaisons (联络员), efficiency-office staff and
server administrators.

Passwords are hashed with Argon2id (memory-hard: a stolen table costs an attacker memory as well
as time per guess). Five wrong passwords in a row lock the login for 15 minutes; the lock, not a
slower hash, is what stops guessing online.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from dnw_desk.domain.numbering import normalize_hall_code
from dnw_desk.server.tables import people
from dnw_desk.server.units import Unit, get_unit

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 10
_hasher = PasswordHasher()  # Argon2id, 64 MiB, 3 passes (the library's RFC 9106 profile)


class Role(StrEnum):
    UNIT = "unit"  # a unit's liaison: its own unit's cases
    OFFICE = "office"  # efficiency office: the figures of a hall, or the province
    ADMIN = "admin"  # server administrator: everything the office sees


@dataclass(frozen=True)
class Person:
    id: int
    login: str
    name: str
    role: Role
    unit: Unit | None
    hall: str | None  # an office person's hall; None: province-wide
    disabled: bool

    def sees_hall(self, hall: str) -> bool:
        if self.role is Role.UNIT:
            return self.unit is not None and self.unit.serves(hall)
        return self.hall is None or self.hall == hall


class LoginRefused(Exception):
    """Wrong login or password, locked or disabled: the message never says which exists."""


def _person(conn: Connection, row: Any) -> Person:
    unit_id = row.unit_id
    return Person(
        id=int(row.id),
        login=row.login,
        name=row.name,
        role=Role(row.role),
        unit=get_unit(conn, int(unit_id)) if unit_id is not None else None,
        hall=row.hall,
        disabled=row.disabled_at is not None,
    )


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"A password has at least {MIN_PASSWORD} characters.")
    if password.strip() != password:
        raise ValueError("A password neither starts nor ends with a space.")


def add_person(
    conn: Connection,
    login: str,
    password: str,
    role: Role,
    now: datetime,
    *,
    name: str = "",
    unit_id: int | None = None,
    hall: str | None = None,
) -> Person:
    login = login.strip()
    if not login or len(login) > 64 or not login.isprintable():
        raise ValueError("A login is 1 to 64 printable characters.")
    check_password(password)
    if role is Role.UNIT and unit_id is None:
        raise ValueError("A unit liaison belongs to a unit (--unit ID; see `units list`).")
    if role is not Role.UNIT and unit_id is not None:
        raise ValueError("Only a unit liaison belongs to a unit.")
    if unit_id is not None and get_unit(conn, unit_id) is None:
        raise ValueError(f"There is no unit {unit_id} (see `dnw-server units list`).")
    if role is not Role.OFFICE and hall:
        raise ValueError("Only efficiency-office staff are bound to a hall.")
    if conn.execute(select(people.c.id).where(people.c.login == login)).first():
        raise ValueError(f"The login {login} is taken.")
    person_id = conn.execute(
        insert(people)
        .values(
            login=login,
            name=(name.strip() or login)[:64],
            role=role.value,
            unit_id=unit_id,
            hall=normalize_hall_code(hall) if hall else None,
            password_hash=_hasher.hash(password),
            failed_logins=0,
            created_at=now,
        )
        .returning(people.c.id)
    ).scalar_one()
    found = get_person(conn, int(person_id))
    assert found is not None
    return found


def get_person(conn: Connection, person_id: int) -> Person | None:
    row = conn.execute(select(people).where(people.c.id == person_id)).first()
    return _person(conn, row) if row is not None else None


def list_people(conn: Connection) -> list[Person]:
    rows = conn.execute(select(people).order_by(people.c.id)).all()
    return [_person(conn, row) for row in rows]


def authenticate(conn: Connection, login: str, password: str, now: datetime) -> Person:
    """The person, or LoginRefused (counting the failure). Runs in a write transaction."""
    row = conn.execute(select(people).where(people.c.login == login.strip()[:64])).first()
    if row is None:
        _hasher.hash(password)  # the same work as a real check: timing does not tell
        raise LoginRefused("wrong login or password")
    if row.disabled_at is not None:
        raise LoginRefused("disabled")
    if row.locked_until is not None and row.locked_until > now:
        raise LoginRefused("locked")
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        failures = int(row.failed_logins) + 1
        locked = now + LOCKOUT if failures >= MAX_FAILURES else None
        conn.execute(
            update(people)
            .where(people.c.id == row.id)
            .values(failed_logins=0 if locked else failures, locked_until=locked)
        )
        raise LoginRefused("locked" if locked else "wrong login or password") from None
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    conn.execute(update(people).where(people.c.id == row.id).values(**values))
    return _person(conn, row)


def disable_person(conn: Connection, login: str, now: datetime) -> bool:
    result = conn.execute(
        update(people)
        .where(people.c.login == login, people.c.disabled_at.is_(None))
        .values(disabled_at=now)
    )
    return result.rowcount == 1


def reset_password(conn: Connection, login: str, password: str) -> bool:
    """A new password; also lifts a lockout and re-enables the login."""
    check_password(password)
    result = conn.execute(
        update(people)
        .where(people.c.login == login)
        .values(
            password_hash=_hasher.hash(password),
            failed_logins=0,
            locked_until=None,
            disabled_at=None,
        )
    )
    return result.rowcount == 1
