"""The head of the desk's audit chain, anchored on the server at every sync, and compared with
it by ``dnw-desk audit verify`` (tamper evidence: a log truncated or re-chained here no longer
holds the anchored entry)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
from sqlalchemy import Connection, select

from dnw_desk.contract.wire import ANCHOR_PATH, AuditAnchor
from dnw_desk.i18n import _
from dnw_desk.store.database import Database
from dnw_desk.store.tables import audit_log
from dnw_desk.sync.session import ServerSession, SyncFailure, raise_for


def local_head(conn: Connection) -> AuditAnchor | None:
    row = conn.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    return AuditAnchor(entry_id=row.id, hash=row.hash) if row else None


AnchorState = Literal["matches", "broken", "unchecked"]


@dataclass(frozen=True)
class AnchorCheck:
    state: AnchorState
    message: str


def compare(conn: Connection, anchored: AuditAnchor) -> AnchorCheck:
    stored = conn.execute(
        select(audit_log.c.hash).where(audit_log.c.id == anchored.entry_id)
    ).scalar()
    if stored is None:
        return AnchorCheck(
            "broken",
            f"the server anchored entry {anchored.entry_id}, which this log no longer has: "
            "entries were deleted",
        )
    if stored != anchored.hash:
        return AnchorCheck(
            "broken",
            f"entry {anchored.entry_id} differs from the one anchored on the server: the log "
            "was rewritten",
        )
    return AnchorCheck("matches", f"matches the server's anchor at entry {anchored.entry_id}")


def check_with_server(db: Database, data_dir: Path, conn: Connection) -> AnchorCheck:
    """Fetch this terminal's latest anchor and compare; unchecked when not enrolled or the
    server cannot be reached (said so, never silently)."""
    from dnw_desk.sync.worker import client_for

    try:
        client = client_for(db, data_dir, timeout=5.0)
    except Exception as exc:  # a credential store that cannot be read
        return AnchorCheck("unchecked", f"not compared with the server ({exc})")
    if client is None:
        return AnchorCheck("unchecked", "not compared with a server (this desk is not enrolled)")
    try:
        response = client.http.get(ANCHOR_PATH)
    except httpx.HTTPError:
        return AnchorCheck("unchecked", "not compared with the server (it cannot be reached)")
    finally:
        client.close()
    if response.status_code == 404:
        return AnchorCheck("unchecked", "the server holds no anchor for this terminal yet")
    if response.status_code != 200:
        return AnchorCheck(
            "unchecked", f"not compared with the server (it answered {response.status_code})"
        )
    return compare(conn, AuditAnchor.model_validate(response.json()))


def anchor_audit(session: ServerSession) -> None:
    """Give the server the head of the audit chain (tamper evidence) — only once the log
    here still holds the entry the server anchored last, so a log rewritten here cannot
    move the anchor past the rewrite."""
    latest = session.request("GET", ANCHOR_PATH)
    if latest.status_code not in (200, 404):
        raise_for(latest)
        return  # a server from before anchors (405)
    with session.db.read() as conn:
        head = local_head(conn)
        broken = (
            latest.status_code == 200
            and compare(conn, AuditAnchor.model_validate(latest.json())).state == "broken"
        )
    if head is None:
        return
    response = latest if broken else session.request("POST", ANCHOR_PATH, json=head.model_dump())
    if broken or response.status_code == 409:
        raise SyncFailure(
            "error",
            _(
                "The server holds another version of this desk's audit log: it was "
                "changed here. Run `dnw-desk audit verify` and tell the administrator."
            ),
        )
    raise_for(response)
