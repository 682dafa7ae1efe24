"""Statements straight through the SQLite driver, for the counter's hot path.

A registration makes five inserts (the case, its search keys, events, outbox operations and
audit entries). Through SQLAlchemy Core each costs ~40–80 µs on top of SQLite's own work:
the execution context, the parameter dicts and the result set-up. ``DriverInsert`` keeps what
matters from Core — each column type's bind processing (times as UTC text, JSON, digests) and
the columns' plain defaults — so a row is stored exactly as ``insert(table)`` would store it,
and hands the driver one prepared statement with tuples.

The statements run on the connection's own driver connection (``driver_connection``), inside
the caller's transaction. Driver errors come out as ``sqlite3`` exceptions, which
``Database.write`` translates like SQLAlchemy's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.schema import ColumnDefault

from dnw_desk.store.tables import column_defaults

Processor = Callable[[Any], Any] | None
_Spec = tuple[str, Any, Processor]  # a column's name, its plain default, its bind processing


def driver_connection(conn: Connection) -> sqlite3.Connection:
    """The ``sqlite3`` connection under ``conn``, in the same transaction."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


class DriverInsert:
    """``INSERT INTO table (columns) VALUES (?, …)`` for rows given as mappings; a column a
    row leaves out takes its plain default. ``columns``: all of the table's, by default, but
    an autoincrement key is left to SQLite unless named."""

    def __init__(self, table: Table, columns: Sequence[str] | None = None) -> None:
        if columns is None:
            columns = [c.name for c in table.c if not (c.primary_key and c.autoincrement is True)]
        for name in columns:
            default = table.c[name].default
            if default is not None and not (
                isinstance(default, ColumnDefault) and default.is_scalar
            ):
                raise TypeError(f"{table.name}.{name} has a computed default; use insert()")
        self.table = table
        self.columns = tuple(columns)
        self._known = frozenset(self.columns)
        self._defaults = tuple(column_defaults(table, self.columns).values())
        names = ", ".join(f'"{name}"' for name in self.columns)
        marks = ", ".join("?" * len(self.columns))
        self.sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        self._specs: WeakKeyDictionary[Dialect, tuple[_Spec, ...]] = WeakKeyDictionary()

    def __call__(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        specs = self._specs_for(conn.dialect)
        params = [self._params(row, specs) for row in rows]
        driver_connection(conn).executemany(self.sql, params)

    def _params(self, row: Mapping[str, Any], specs: tuple[_Spec, ...]) -> tuple[Any, ...]:
        if not self._known.issuperset(row):
            unknown = sorted(set(row) - self._known)
            raise KeyError(f"{self.table.name} has no column {', '.join(unknown)}")
        get = row.get
        return tuple(
            [
                get(name, default) if process is None else process(get(name, default))
                for name, default, process in specs
            ]
        )

    def _specs_for(self, dialect: Dialect) -> tuple[_Spec, ...]:
        # One set per dialect: the JSON processor carries its engine's serializer.
        specs = self._specs.get(dialect)
        if specs is None:
            specs = tuple(
                (
                    name,
                    default,
                    self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect),
                )
                for name, default in zip(self.columns, self._defaults, strict=True)
            )
            self._specs[dialect] = specs
        return specs
