"""Imports every table module so the shared MetaData is complete (for Alembic and tests)."""

from __future__ import annotations

import importlib

from dnw_desk.store.tables import metadata

# Table modules beyond tables.py register themselves on the same MetaData when imported.
TABLE_MODULES = (
    "dnw_desk.store.print_queue",
    "dnw_desk.store.accounts",
    "dnw_desk.store.sync_state",
    "dnw_desk.store.review_tables",
)

for _name in TABLE_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a module not written yet
        if exc.name != _name:
            raise

__all__ = ["metadata"]
