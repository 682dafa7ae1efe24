"""Which step plans which text message, and what a template may say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dnw_desk.domain.case import Event, EventType, apply_event
from dnw_desk.domain.sms import SmsKind, plan, render

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
BASE = {"name": "张*", "number": "AH08-20261124-0001K", "link": "https://x/status"}


def _timeline(consent: bool) -> list[Event]:
    registered = {"complainant": {"consent_sms": consent}, "matter": {}}
    deadline = AT + timedelta(days=1)
    return [
        Event("e1", "c", EventType.REGISTERED, AT, "clerk:a", registered),
        Event("e2", "c", EventType.REFERRED, AT, "clerk:a", {"unit": "U", "deadline": deadline}),
        Event(
            "e3",
            "c",
            EventType.EXTENSION_GRANTED,
            AT + timedelta(hours=1),
            "lead:b",
            {"deadline": deadline + timedelta(days=2), "reason": "x"},
        ),
    ]


def _states(events: list[Event]):  # type: ignore[no-untyped-def]
    states, state = [], None
    for event in events:
        state = apply_event(state, event)
        states.append(state)
    return states


def test_registration_and_extension_plan_their_messages_with_consent_only() -> None:
    events = _timeline(consent=True)
    planned = plan(events, _states(events), {"e1", "e2", "e3"}, BASE)
    assert [(p.trigger_event_id, p.kind) for p in planned] == [
        ("e1", SmsKind.REGISTERED),
        ("e3", SmsKind.EXTENDED),
    ]
    assert planned[0].params["deadline"] != planned[1].params["deadline"]
    assert set(planned[0].params) == {"name", "number", "link", "deadline"}
    events = _timeline(consent=False)
    assert plan(events, _states(events), {"e1", "e2", "e3"}, BASE) == []
    events = _timeline(consent=True)
    assert [p.kind for p in plan(events, _states(events), {"e3"}, BASE)] == [SmsKind.EXTENDED]


def test_render_fills_the_known_placeholders_and_keeps_the_rest() -> None:
    assert render("{name}，编号{number}{unknown}", BASE) == "张*，编号AH08-20261124-0001K{unknown}"
    assert render("坏模板{0", BASE) == "坏模板{0"
