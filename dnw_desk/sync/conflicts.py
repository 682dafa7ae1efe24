"""The shift lead's settling of sync conflicts (docs/rules.md#sync), Qt-free.

A conflict is kept with both versions: the desk's (the refused op, or the local timeline a pulled
event did not fit) and the server's. Settling one records the shift lead's decision — keep the
desk's version or accept the server's — in the chained audit log and closes it. Neither choice
rewrites a timeline: the desk's events stay as they were committed (append-only,
docs/rules.md#sync), and the server keeps its record; the decision is what the hall answers for.

``masked`` prepares either version for the screen: personal data (names, ID numbers, phones,
birth dates) masked as everywhere else (docs/rules.md#privacy), also inside free text.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from dnw_desk.domain.masking import (
    MASK,
    contains_unmasked_pii,
    mask_id_number,
    mask_person_name,
    mask_phone,
)
from dnw_desk.i18n import N_
from dnw_desk.store.audit import append_audit
from dnw_desk.store.database import Database
from dnw_desk.sync import state as sync_state


class Resolution(StrEnum):
    KEEP_DESK = "keep_desk"
    ACCEPT_SERVER = "accept_server"


RESOLUTION_LABELS = {
    Resolution.KEEP_DESK: N_("Keep the desk's version"),
    Resolution.ACCEPT_SERVER: N_("Accept the server's version"),
}


def open_conflicts_of(db: Database) -> list[sync_state.Conflict]:
    """The conflicts still to settle, oldest first."""
    with db.read() as conn:
        return sync_state.open_conflicts(conn)


def settle_in(
    db: Database, conflict_id: int, resolution: Resolution, by: str, now: datetime
) -> bool:
    """``settle`` in its own write transaction."""
    with db.write() as conn:
        return settle(conn, conflict_id, resolution, by, now)


def settle(
    conn: Connection, conflict_id: int, resolution: Resolution, by: str, now: datetime
) -> bool:
    """Close one open conflict with the decision audited; False when it was already settled."""
    conflict = next((c for c in sync_state.open_conflicts(conn) if c.id == conflict_id), None)
    if conflict is None or not sync_state.resolve_conflict(conn, conflict_id, by, now):
        return False
    append_audit(
        conn,
        at=now,
        actor=by,
        action=f"sync.conflict.{resolution.value}",
        case_id=conflict.case_id,
        detail={
            "conflict": conflict.id,
            "direction": conflict.direction,
            "code": conflict.code,
            "number": conflict.case_no,
            "op_id": conflict.op_id,
            "event_id": conflict.event_id,
        },
    )
    return True


_ID_KEYS = frozenset({"id_number"})
_PHONE_KEYS = frozenset({"phone", "phone_display"})
_PERSON_KEYS = frozenset({"contact_person"})
_HIDDEN_KEYS = frozenset({"birth_date", "sex"})


def masked(value: Any, *, enterprise: bool = False) -> Any:
    """A copy of a JSON value with the personal data masked."""
    if isinstance(value, dict):
        is_enterprise = enterprise or value.get("kind") == "enterprise"
        return {key: _masked_item(str(key), item, is_enterprise) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, enterprise=enterprise) for item in value]
    if isinstance(value, str):
        return mask_free_text(value)
    return value


def _masked_item(key: str, item: Any, enterprise: bool) -> Any:
    if not isinstance(item, str) or not item:
        return masked(item, enterprise=enterprise)
    if key in _ID_KEYS:
        return mask_id_number(item)
    if key in _PHONE_KEYS:
        return mask_phone(item)
    if key in _PERSON_KEYS or (key == "name" and not enterprise):
        return mask_person_name(item)
    if key in _HIDDEN_KEYS:
        return MASK * len(item)
    return mask_free_text(item)


def mask_free_text(text: str) -> str:
    """ID and phone numbers typed into a description or an opinion, masked in place."""
    for found in contains_unmasked_pii(text):
        compact = "".join(c for c in found if c not in " -")
        # ID numbers are 15 or 18 characters and start with a region code (never 0 or +).
        is_id = len(compact) in (15, 18) and compact[0] in "123456789"
        text = text.replace(found, mask_id_number(compact) if is_id else mask_phone(found))
    return text
