"""The hall's unit list comes from the server once it keeps one: the desk offers those units and
its referrals carry the server's unit id; without one the embedded list keeps working."""

from __future__ import annotations

from sqlalchemy import select

from dnw_desk.domain.case import EventType
from dnw_desk.services.desk import Desk
from dnw_desk.services.settings import load_settings
from dnw_desk.store.tables import case_events
from dnw_desk.sync.client import SyncClient
from tests.factories import UNIT, register
from tests.sync.conftest import LiveServer, Tokens


def test_the_servers_units_replace_the_embedded_list_and_referrals_carry_their_id(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    desk = enrolled_desk
    embedded = load_settings(desk.db).units
    assert UNIT in embedded and len(embedded) > 1
    client = SyncClient(desk.db, live_server.url, server_tokens.terminal, clock=desk.clock)
    try:
        first = client.sync_once()
        assert first.status.state == "synced" and first.units_changed
        settings = load_settings(desk.db)
        [(name, unit_id)] = settings.unit_ids
        assert settings.units == (UNIT,) and name == UNIT
        assert client.sync_once().units_changed is False  # asked once an hour at most
        desk.clock.advance(hours=1, seconds=1)  # type: ignore[attr-defined]
        assert client.sync_once().units_changed is False  # nothing new: no reload, no audit
        desk.reload()
        case_id = register(desk).case.id
        with desk.db.read() as conn:
            data = conn.execute(
                select(case_events.c.data).where(
                    case_events.c.case_id == case_id,
                    case_events.c.type == EventType.REFERRED.value,
                )
            ).scalar_one()
        assert data["unit"] == UNIT and data["unit_id"] == unit_id
    finally:
        client.close()
