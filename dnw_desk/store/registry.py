"""The desk's complete MetaData: ``tables.py`` plus every table module that adds to it.

Alembic's env and the schema tests import this, so a table module missing here would be
invisible to migrations.
"""

from __future__ import annotations

from dnw_desk.store import accounts, print_queue, review_tables, sms_outbox, sync_state
from dnw_desk.store.tables import metadata

TABLE_MODULES = (accounts, print_queue, review_tables, sms_outbox, sync_state)

__all__ = ["TABLE_MODULES", "metadata"]
