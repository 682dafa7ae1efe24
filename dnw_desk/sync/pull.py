"""Pull: the units' events the server holds for this desk's cases, page by page from the
cursor, each page folded into the local timelines and the cursor advanced in one local
transaction (docs/rules.md#sync). A step the domain refuses becomes a conflict, not an error."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from dnw_desk.contract.wire import PULL_PATH, UNKNOWN_EVENT_TYPE, PulledEvent, PullResponse
from dnw_desk.domain.case import Event, apply_event, fold
from dnw_desk.domain.errors import WorkflowError
from dnw_desk.i18n import _
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import append_audit
from dnw_desk.store.tables import case_events
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.session import ServerSession, SyncFailure, raise_for

MAX_PAGES = 10_000  # bounds the loop; far beyond any real backlog per call


def pull_updates(session: ServerSession, page_size: int, changed: list[str] | None = None) -> int:
    """Apply every new page; returns how many events were applied. ``changed`` receives
    the case id of each applied event as its page commits."""
    applied = 0
    changed = [] if changed is None else changed
    for _page in range(MAX_PAGES):
        with session.db.read() as conn:
            cursor = int(sync_state.get_value(conn, sync_state.PULL_CURSOR, 0))
        response = session.request("GET", PULL_PATH, params={"cursor": cursor, "limit": page_size})
        raise_for(response)
        try:
            page = PullResponse.model_validate_json(response.content)
        except ValidationError as exc:
            if any(error["type"] == UNKNOWN_EVENT_TYPE for error in exc.errors()):
                # Newer than this desk: the cursor stays, so nothing is skipped.
                raise SyncFailure(
                    "error",
                    _("The server sent a step this desk does not know: upgrade this desk."),
                ) from exc
            raise SyncFailure("error", _("The server sent an unexpected answer.")) from exc
        case_ids = _apply_page(session, cursor, page)
        applied += len(case_ids)
        changed.extend(case_ids)
        if not page.has_more or page.next_cursor <= cursor:
            break
    return applied


def _apply_page(session: ServerSession, cursor: int, page: PullResponse) -> list[str]:
    """The case id of every event applied (one per event), after the page committed."""
    now = session.clock()
    applied: list[str] = []
    with session.db.write() as conn:
        if int(sync_state.get_value(conn, sync_state.PULL_CURSOR, 0)) != cursor:
            return []  # another sync applied this page meanwhile
        for pulled in page.events:
            if _apply_pulled(conn, pulled, now):
                applied.append(pulled.case_id)
        sync_state.set_value(conn, sync_state.PULL_CURSOR, page.next_cursor, now)
    return applied


def _apply_pulled(conn: Any, pulled: PulledEvent, now: datetime) -> bool:
    """Fold one unit's event into the local timeline (True); a refusal becomes a conflict."""
    exists = conn.execute(select(case_events.c.id).where(case_events.c.id == pulled.event.id))
    if exists.first() is not None:
        return False
    events = cases_repo.load_events(conn, pulled.case_id)
    event = Event(
        pulled.event.id,
        pulled.case_id,
        pulled.event.type,
        pulled.event.at,
        pulled.event.actor,
        pulled.event.data,
    )
    server_version = pulled.model_dump(mode="json")
    if not events:
        sync_state.record_conflict(
            conn,
            direction="pull",
            code="unknown_case",
            message=_("The server sent an event for a case this desk does not have."),
            now=now,
            case_id=pulled.case_id,
            case_no=pulled.case_no,
            event_id=pulled.event.id,
            server_version=server_version,
        )
        return False
    try:
        state = apply_event(fold(events), event)
    except WorkflowError as exc:
        sync_state.record_conflict(
            conn,
            direction="pull",
            code="workflow",
            message=str(exc),
            now=now,
            case_id=pulled.case_id,
            case_no=pulled.case_no,
            event_id=pulled.event.id,
            local_version=[
                {"id": e.event_id, "type": e.type.value, "at": e.at.isoformat()} for e in events
            ],
            server_version=server_version,
        )
        return False
    seq = len(events) + 1
    cases_repo.insert_events(conn, [(event, seq)], now, origin="server")
    cases_repo.store_state(conn, pulled.case_id, state, seq, now)
    append_audit(
        conn,
        at=now,
        actor="sync",
        action=f"sync.{event.type.value}",
        case_id=pulled.case_id,
        detail={"number": pulled.case_no, "event_id": event.event_id, "revision": pulled.revision},
    )
    return True
