"""What the login page needs before SQLAlchemy is loaded, read with plain ``sqlite3``: whether
the desk is set up, its hall, one account's login record, and whether the full open will upgrade
the database first (docs/architecture.md#performance-budgets).

Read only. Anything unexpected (no database yet, a damaged file, an older schema) answers None:
the start-up then waits for the full open, which migrates, restores or runs the first-run wizard.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dnw_desk.store.instance import DB_FILENAME, HEAD_REVISION, read_revision


@dataclass(frozen=True)
class EarlyLook:
    """A set-up desk (configured, with accounts), as the login page shows it."""

    hall: str  # "hall · window"; empty when they are the defaults (not stored)


@dataclass(frozen=True)
class LoginRecord:
    login: str
    clerk_no: str
    display_name: str
    role: str
    active: bool
    password_hash: str


_LOGIN_RECORD = "SELECT login, clerk_no, display_name, role, active, password_hash FROM accounts"


def _connect(data_dir: Path) -> sqlite3.Connection | None:
    path = data_dir / DB_FILENAME
    if not path.is_file():  # connecting would create it
        return None
    return sqlite3.connect(path, timeout=5)


def needs_upgrade(data_dir: Path) -> bool:
    """Whether the stored schema is an older revision than this release writes (the open then
    backs it up, upgrades and compacts it: a minute or two for a big file, once)."""
    try:
        revision = read_revision(data_dir / DB_FILENAME)
    except sqlite3.Error:
        return False  # damaged: the full open says what it is
    return revision is not None and revision != HEAD_REVISION


def early_look(data_dir: Path) -> EarlyLook | None:
    """The hall of a set-up desk; None when the full open must decide (see the module doc)."""
    conn = _connect(data_dir)
    if conn is None:
        return None
    try:
        with closing(conn):
            stored: dict[str, Any] = {
                key: json.loads(value)
                for key, value in conn.execute(
                    "SELECT key, value FROM settings"
                    " WHERE key IN ('configured', 'hall_name', 'window_name')"
                )
            }
            accounts = conn.execute("SELECT count(*) FROM accounts").fetchone()[0]
            conn.execute(_LOGIN_RECORD + " LIMIT 0")  # the columns it reads are there
    except (sqlite3.Error, ValueError):
        return None
    if stored.get("configured") is not True or not accounts:
        return None
    hall, window = stored.get("hall_name"), stored.get("window_name")
    return EarlyLook(f"{hall} · {window}" if hall and window else "")


def login_record(data_dir: Path, login: str) -> LoginRecord | None:
    """The account ``login`` with its password hash; None when there is none."""
    conn = _connect(data_dir)
    if conn is None:
        return None
    with closing(conn):
        row = conn.execute(_LOGIN_RECORD + " WHERE login = ?", (login,)).fetchone()
    if row is None:
        return None
    return LoginRecord(str(row[0]), str(row[1]), str(row[2]), str(row[3]), bool(row[4]), row[5])
