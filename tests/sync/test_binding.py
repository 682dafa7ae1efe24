"""The credential follows the hall and window the desk is configured for (issue 11, blocker):
a desk moved to another window says so, in words, instead of a bare "not allowed"."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import delete, func, select

from dnw_desk.services.desk import Desk
from dnw_desk.services.settings import load_settings, save_settings
from dnw_desk.store.sync_state import sync_state as sync_state_table
from dnw_desk.store.tables import outbox
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.client import SyncClient, SyncReport
from tests.factories import register
from tests.sync.conftest import LiveServer, Tokens


def _move_desk(desk: Desk, hall: str, window: str) -> None:
    settings = replace(load_settings(desk.db), hall_code=hall, window_no=window)
    save_settings(desk.db, settings, actor="admin:test", now=desk.clock())
    desk.reload()


def _sync_moved_desk(desk: Desk, server: LiveServer, tokens: Tokens) -> SyncReport:
    """Move the desk to HF/03, register a case there and sync once."""
    _move_desk(desk, "HF", "03")
    register(desk)
    client = SyncClient(desk.db, server.url, tokens.terminal, clock=desk.clock)
    try:
        return client.sync_once()
    finally:
        client.close()


def test_a_desk_moved_to_another_window_says_which_and_sends_nothing(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, english: None
) -> None:
    report = _sync_moved_desk(enrolled_desk, live_server, server_tokens)
    assert report.status.state == "error" and report.pushed == 0
    message = report.status.error or ""
    assert "hall AH window 08" in message and "hall HF window 03" in message
    assert "enrol" in message
    with enrolled_desk.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar() == 2


def test_a_403_from_the_server_names_the_credential_s_window(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, english: None
) -> None:
    # An enrolment from before the binding was kept locally: only the server can tell.
    with enrolled_desk.db.write() as conn:
        conn.execute(
            delete(sync_state_table).where(
                sync_state_table.c.key.in_([sync_state.ENROLLED_HALL, sync_state.ENROLLED_WINDOW])
            )
        )
    report = _sync_moved_desk(enrolled_desk, live_server, server_tokens)
    assert report.status.state == "error"
    message = report.status.error or ""
    assert "hall AH window 08" in message and "hall HF window 03" in message


def test_enrolment_keeps_the_binding(enrolled_desk: Desk, data_dir: Path) -> None:
    with enrolled_desk.db.read() as conn:
        enrolment = sync_state.enrolment(conn)
    assert enrolment is not None
    assert (enrolment.hall, enrolment.window) == ("AH", "08")
