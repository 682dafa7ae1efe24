"""Text messages through the desk's outbox against a fake provider on 127.0.0.1 that fails,
answers too late, drops the connection and sees duplicates: each intended message arrives
exactly once, only with consent, with nothing more than the number and a masked name, and each
try is on the timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.services.sms import SmsService, failing_messages
from dnw_desk.sms.gateway import HttpGateway, HttpGatewayConfig, LogGateway
from dnw_desk.store import sms_outbox
from tests.factories import CLERK, desk_at, registration
from tests.services.test_accountability import _fed_back
from tests.sms.fake_gateway import FakeSmsProvider

pytestmark = pytest.mark.usefixtures("english")
TEMPLATES = {"registered": "SMS_1", "extended": "SMS_2", "fed_back": "SMS_3", "rating": "SMS_4"}


def _register(desk, consent: bool):  # type: ignore[no-untyped-def]
    base = registration()
    chosen = replace(base, complainant=replace(base.complainant, consent_sms=consent))
    return desk.cases.register(
        chosen, CLERK, categories=desk.settings.categories, units=desk.settings.units
    )


def _gateway(url: str) -> HttpGateway:
    config = HttpGatewayConfig(url, "key-1", "secret", "安徽政务服务", TEMPLATES, timeout=0.3)
    return HttpGateway(config)


def _rows(desk):  # type: ignore[no-untyped-def]
    with desk.db.read() as conn:
        return list(conn.execute(sms_outbox.sms_messages.select()))


def test_each_message_arrives_exactly_once_through_failures_timeouts_and_drops(
    data_dir: Path,
) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    script = ["fail", "late", "drop", "ok", "fail", "ok", "ok", "ok"]
    with FakeSmsProvider(script, late_seconds=0.8) as provider:
        sms = SmsService(desk.db, desk.cases, desk.settings, _gateway(provider.url), clock)
        assert sms.plan_round() == 0  # the first run starts the cursor: no backlog
        case_id = _register(desk, consent=True).case.id
        _register(desk, consent=False)  # no consent: no message at all
        assert sms.plan_round() == 1
        assert sms.plan_round() == 0  # planned once
        _fed_back(desk, clock, case_id)
        assert sms.plan_round() == 2  # the feedback, the rating invitation
        for _round in range(12):
            sms.send_round()
            sms.plan_round()  # the sms events themselves plan nothing
            clock.advance(minutes=70)  # past any backoff and the in-flight window
        sms.gateway.close()
    rows = _rows(desk)
    assert {row.kind for row in rows} == {"registered", "fed_back", "rating"}
    assert all(row.status == sms_outbox.SENT for row in rows)
    assert set(provider.delivered) == {row.id for row in rows}  # exactly once each
    assert sum(provider.requests.values()) > len(rows)  # retries and resends happened
    events = desk.cases.events(case_id)
    sent = [e for e in events if e.type is EventType.SMS_SENT]
    assert sorted(e.data["message_id"] for e in sent) == sorted(row.id for row in rows)
    failed = [e for e in events if e.type is EventType.SMS_FAILED]
    assert failed and all(e.data["reason"] for e in failed)
    body = provider.delivered[next(r.id for r in rows if r.kind == "registered")]
    assert body["PhoneNumbers"] == "13812345678" and body["TemplateCode"] == "SMS_1"
    assert '"name": "张*"' in body["TemplateParam"]  # masked, and nothing personal besides
    assert "2026-11-25 17:30" in body["TemplateParam"]
    assert failing_messages(desk.db) == []  # all sent in the end
    desk.close()


def test_a_permanent_refusal_gives_up_and_is_shown_to_the_shift_lead(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    with FakeSmsProvider(["refuse"]) as provider:
        sms = SmsService(desk.db, desk.cases, desk.settings, _gateway(provider.url), clock)
        sms.plan_round()
        case_id = _register(desk, consent=True).case.id
        sms.plan_round()
        assert sms.send_round() == 0
        clock.advance(hours=2)
        assert sms.send_round() == 0  # given up: not tried again
        sms.gateway.close()
    assert provider.delivered == {}
    [shown] = failing_messages(desk.db)
    assert shown.gave_up and "MOBILE_NUMBER_ILLEGAL" in shown.reason
    [failed] = [e for e in desk.cases.events(case_id) if e.type is EventType.SMS_FAILED]
    assert failed.data["final"] is True
    desk.close()


def test_a_crash_after_the_request_resends_with_the_same_key(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))

    class Crash(Exception):
        pass

    with FakeSmsProvider([]) as provider:
        gateway = _gateway(provider.url)
        sms = SmsService(desk.db, desk.cases, desk.settings, gateway, clock)
        sms.plan_round()
        _register(desk, consent=True)
        sms.plan_round()
        real_send = gateway.send

        def send_then_crash(message):  # type: ignore[no-untyped-def]
            real_send(message)
            raise Crash  # the desk dies before it records the answer

        gateway.send = send_then_crash  # type: ignore[method-assign]
        with pytest.raises(Crash):
            sms.send_round()
        gateway.send = real_send  # type: ignore[method-assign]
        assert sms.send_round() == 0  # in flight: not due yet
        clock.advance(minutes=3)
        assert sms.send_round() == 1
        gateway.close()
    [row] = _rows(desk)
    assert provider.requests[row.id] == 2 and list(provider.delivered) == [row.id]
    assert row.attempts == 2 and row.status == sms_outbox.SENT
    desk.close()


def test_the_log_gateway_sends_nothing_and_says_so_on_the_timeline(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    sms = SmsService(desk.db, desk.cases, desk.settings, LogGateway(), clock)
    sms.plan_round()
    case_id = _register(desk, consent=True).case.id
    sms.plan_round()
    assert sms.send_round() == 1
    [sent] = [e for e in desk.cases.events(case_id) if e.type is EventType.SMS_SENT]
    assert sent.data["gateway"] == "log"
    desk.close()
