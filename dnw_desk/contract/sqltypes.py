"""Column types and the constraint naming both schemas use: the desk's tables and the server's
(each with its own MetaData and Alembic migrations) store times the same way.

Times are stored as fixed-width UTC ISO-8601 text so they sort as text and read back as aware
datetimes on either database.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Dialect, LargeBinary, String
from sqlalchemy.types import TypeDecorator

from dnw_desk.clock import HALL_TZ

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetime stored as fixed-width UTC text; read back in hall time."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a time zone")
        return to_utc_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value).astimezone(HALL_TZ)


def stored_json(value: Any) -> str:
    """JSON as the desk stores it: compact, and Chinese as UTF-8 rather than ``\\uXXXX``
    escapes (a third of the bytes). Text that UTF-8 cannot carry (a lone surrogate pasted in)
    keeps its escapes, so a save never fails on the encoding."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text


def to_utc_text(value: datetime) -> str:
    """The stored form; also used to compare against columns in raw SQL. (``isoformat`` is
    the same text as ``%Y-%m-%dT%H:%M:%S.%f+00:00`` at a third of ``strftime``'s cost, and
    keeps years before 1000 four digits wide.)"""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


class HexDigest(TypeDecorator[str]):
    """A SHA-256 digest kept as its 32 bytes, read and written as the hex text it is shown as
    (half the bytes of the text on disk)."""

    impl = LargeBinary(32)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else bytes.fromhex(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else bytes(value).hex()
