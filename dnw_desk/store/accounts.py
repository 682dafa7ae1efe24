"""The ``accounts`` table: local staff accounts of this terminal (docs/rules.md#privacy).

Registered on the shared MetaData (``dnw_desk.store.registry`` imports this module), created by
migration ``0003``. Only the salted password hash is stored, never the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
    update,
)

from dnw_desk.contract.sqltypes import UtcDateTime
from dnw_desk.domain.roles import Role
from dnw_desk.store.tables import metadata

accounts = Table(
    "accounts",
    metadata,
    Column("login", String(32), primary_key=True),
    Column("clerk_no", String(16), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False, default=""),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_login_at", UtcDateTime),
)


@dataclass(frozen=True)
class AccountRow:
    login: str
    clerk_no: str
    display_name: str
    role: Role
    active: bool
    last_login_at: datetime | None


_ROW_COLUMNS = [
    accounts.c.login,
    accounts.c.clerk_no,
    accounts.c.display_name,
    accounts.c.role,
    accounts.c.active,
    accounts.c.last_login_at,
]


def _row(row: Any) -> AccountRow:
    return AccountRow(
        row.login,
        row.clerk_no,
        row.display_name,
        Role(row.role),
        bool(row.active),
        row.last_login_at,
    )


def count_accounts(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())


def count_active_admins(conn: Connection) -> int:
    query = (
        select(func.count())
        .select_from(accounts)
        .where(accounts.c.role == Role.ADMIN.value, accounts.c.active.is_(True))
    )
    return int(conn.execute(query).scalar_one())


def list_accounts(conn: Connection) -> list[AccountRow]:
    return [_row(r) for r in conn.execute(select(*_ROW_COLUMNS).order_by(accounts.c.login))]


def get_account(conn: Connection, login: str) -> AccountRow | None:
    row = conn.execute(select(*_ROW_COLUMNS).where(accounts.c.login == login)).first()
    return _row(row) if row else None


def password_hash_of(conn: Connection, login: str) -> str | None:
    value = conn.execute(
        select(accounts.c.password_hash).where(accounts.c.login == login)
    ).scalar_one_or_none()
    return str(value) if value is not None else None


def clerk_no_taken(conn: Connection, clerk_no: str, *, except_login: str = "") -> bool:
    query = select(accounts.c.login).where(
        accounts.c.clerk_no == clerk_no, accounts.c.login != except_login
    )
    return conn.execute(query).first() is not None


def insert_account(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(accounts).values(**values))


def update_account(conn: Connection, login: str, values: dict[str, Any]) -> None:
    conn.execute(update(accounts).where(accounts.c.login == login).values(**values))


def record_login(conn: Connection, login: str, at: datetime, *, ok: bool) -> None:
    if ok:
        values: dict[str, Any] = {"failed_logins": 0, "last_login_at": at}
    else:
        values = {"failed_logins": accounts.c.failed_logins + 1}
    conn.execute(update(accounts).where(accounts.c.login == login).values(**values))


def people(conn: Connection) -> dict[str, tuple[str, str]]:
    """Every account's login → (display name, staff number), to name actors on screens."""
    rows = conn.execute(select(accounts.c.login, accounts.c.display_name, accounts.c.clerk_no))
    return {row.login: (row.display_name, row.clerk_no) for row in rows}
