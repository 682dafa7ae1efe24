"""The accountability scenario over HTTP against a real server (uvicorn on 127.0.0.1), on
SQLite and on PostgreSQL: a unit returns a case after its deadline through the feedback API,
the desk pulls it, and the desk's bulletin counts it overdue for that unit. The server refuses
with 403 and a reason what a unit may not send."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import select

from dnw_desk.clock import HALL_TZ
from dnw_desk.contract.wire import FEEDBACK_PATH, UNKNOWN_EVENT_TYPE
from dnw_desk.domain.case import EventType, Status
from dnw_desk.server.tables import case_events as server_events
from dnw_desk.services.alerts import alerts_for
from dnw_desk.services.desk import Desk
from dnw_desk.services.handling import handling_for
from dnw_desk.services.review import review_for
from dnw_desk.store import cases_repo
from dnw_desk.sync.client import SyncClient
from dnw_desk.sync.session import SyncFailure, raise_for
from tests.factories import CLERK, UNIT, register
from tests.server.helpers import feedback
from tests.sync.conftest import LiveServer, Tokens

AFTER_DEADLINE = "2026-11-26T10:00:00+08:00"  # the deadline is Wednesday 25th, 17:30


def _post(server: LiveServer, tokens: Tokens, body: dict[str, object]) -> httpx.Response:
    return httpx.post(
        server.url + FEEDBACK_PATH,
        json=body,
        headers={"Authorization": f"Bearer {tokens.unit}"},
        timeout=10,
    )


def test_a_late_return_through_the_feedback_api_counts_overdue_for_the_unit(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    desk = enrolled_desk
    saved = register(desk)
    number = saved.case.number
    client = SyncClient(desk.db, live_server.url, server_tokens.terminal, clock=desk.clock)
    try:
        assert client.sync_once().status.state == "synced"
        # What a unit may not send: 403 with the reason, nothing recorded.
        granted = _post(
            live_server,
            server_tokens,
            feedback(number, "extension_granted", deadline="2026-11-27T17:30:00+08:00"),
        )
        assert granted.status_code == 403
        assert "may not grant itself an extension" in granted.json()["detail"]
        own_return = _post(
            live_server, server_tokens, feedback(number, "return_reviewed", decision="accepted")
        )
        assert own_return.status_code == 403
        assert "may not decide its own return" in own_return.json()["detail"]
        far = _post(
            live_server,
            server_tokens,
            feedback(
                number,
                "extension_requested",
                reason="需现场核查",
                deadline="2027-06-30T17:30:00+08:00",
            ),
        )
        assert far.status_code == 403 and "120 days" in far.json()["detail"]

        # The desk opens on Thursday morning: the cards earned since are recorded and pushed.
        desk.clock.now = datetime(2026, 11, 26, 9, 30, tzinfo=HALL_TZ)  # type: ignore[attr-defined]
        alerts_for(desk).refresh()
        assert client.sync_once().status.conflicts == 0
        with live_server.db.read() as conn:
            levels = [
                data.get("level")
                for data in conn.execute(
                    select(server_events.c.data).where(server_events.c.type == "level_crossed")
                ).scalars()
            ]
        assert levels == ["reminder", "warning", "overdue"]

        returned = _post(
            live_server, server_tokens, feedback(number, "unit_returned", at=AFTER_DEADLINE)
        )
        assert returned.status_code == 201, returned.text
        assert returned.json()["status"] == Status.RETURNED.value

        report = client.sync_once()
        assert report.status.conflicts == 0
        with desk.db.read() as conn:
            events = cases_repo.load_events(conn, saved.case.id)
        assert events[-1].type is EventType.UNIT_RETURNED
        assert events[-1].data["unit"] == UNIT
        assert handling_for(desk).view(saved.case.id).state.window_tasks == ("return_review",)

        bulletin = review_for(desk).unit_bulletin(date(2026, 11, 1))
        [unit] = [u for u in bulletin.units if u.unit == UNIT]
        assert unit.returns == 1 and unit.late_returns == 1
        assert unit.overdue == 1
        assert (unit.yellow_cards, unit.red_cards) == (1, 1)
        assert bulletin.units[0].unit == UNIT  # ranked worst

        # The window rejects the return: back to the unit with its original deadline, and the
        # decision syncs to the server.
        desk.clock.now = datetime(2026, 11, 26, 11, 0, tzinfo=HALL_TZ)  # type: ignore[attr-defined]
        handling_for(desk).perform(
            saved.case.id,
            EventType.RETURN_REVIEWED,
            CLERK,
            {"decision": "rejected", "reason": "属本单位职责"},
        )
        assert client.sync_once().status.conflicts == 0
        state = handling_for(desk).view(saved.case.id).state
        assert state.lead_unit == UNIT and state.deadline == saved.case.deadline
        # The unit is again the one that may answer.
        opinion = _post(
            live_server, server_tokens, feedback(number, at=AFTER_DEADLINE[:11] + "12:00:00+08:00")
        )
        assert opinion.status_code == 201, opinion.text
    finally:
        client.close()


@pytest.mark.usefixtures("english")
def test_the_desk_says_to_upgrade_the_server_when_it_does_not_know_a_step() -> None:
    detail = [{"loc": ["body", "ops", 0, "event", "type"], "msg": "…", "type": UNKNOWN_EVENT_TYPE}]
    with pytest.raises(SyncFailure) as caught:
        raise_for(httpx.Response(422, json={"detail": detail}))
    assert "upgrade the server first" in str(caught.value)
