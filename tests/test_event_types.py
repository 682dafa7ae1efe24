"""Every event type is declared once (domain.event_types) and handled everywhere it must be.

A new ``EventType`` member without its row, its fold, its form (or an explicit "no form"), its
translation, its wire acceptance or its timeline line fails here, naming the type.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from dnw_desk.contract.wire import UNKNOWN_EVENT_TYPE, EventIn, FeedbackRequest
from dnw_desk.domain.case import TRANSITIONS, Event
from dnw_desk.domain.event_types import (
    ANY_TIME_EVENTS,
    EVENT_SPECS,
    FORM_EVENTS,
    PUBLIC_EVENTS,
    UNIT_POSTABLE,
    EventType,
    known_wire_type,
)
from dnw_desk.domain.roles import Role
from dnw_desk.i18n import translate_in
from dnw_desk.server.api.routes import feedback as feedback_route
from dnw_desk.services.handling import ACTION_FORMS, ACTION_TITLES, HANDLING_ACTIONS
from dnw_desk.services.timeline import step_label, summarise

ALL = list(EventType)
AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _zh(message: str) -> bool:
    return translate_in("zh_CN", message) != message


@pytest.mark.parametrize("kind", ALL, ids=str)
def test_every_type_has_its_row_and_a_chinese_label(kind: EventType) -> None:
    spec = EVENT_SPECS[kind]
    assert spec.type is kind
    assert spec.wire_type == kind.value
    assert len(kind.value) <= 32  # the type column of the desk's and the server's stores
    assert _zh(spec.label), f"{kind}: no zh_CN translation of {spec.label!r}"
    assert spec.changes


@pytest.mark.parametrize("kind", ALL, ids=str)
def test_every_type_changes_the_state_through_the_fold_or_is_bookkeeping(kind: EventType) -> None:
    if kind is EventType.REGISTERED:
        return  # starts the fold
    assert (kind in TRANSITIONS) != (kind in ANY_TIME_EVENTS), kind


@pytest.mark.parametrize("kind", ALL, ids=str)
def test_a_form_exactly_where_the_table_says_so(kind: EventType) -> None:
    spec = EVENT_SPECS[kind]
    if spec.form:
        assert kind in ACTION_FORMS and kind in HANDLING_ACTIONS, kind
        assert _zh(ACTION_TITLES[kind]), kind
        for field in ACTION_FORMS[kind]:
            assert _zh(field.label), (kind, field.name)
        assert spec.permission is not None and not spec.automatic
    else:
        # No form: recorded by its own screen (intake, printing, reveal) or by the desk itself.
        assert kind not in ACTION_FORMS and kind not in ACTION_TITLES, kind
    assert tuple(ACTION_FORMS) == tuple(k for k in FORM_EVENTS)


@pytest.mark.parametrize("kind", ALL, ids=str)
def test_who_may_record_it(kind: EventType) -> None:
    spec = EVENT_SPECS[kind]
    if spec.automatic:
        assert spec.permission is None and not spec.form, kind
    else:
        assert spec.desk_roles, f"{kind}: no desk role may record it"
        assert Role.ADMIN not in spec.desk_roles  # the admin configures, never handles
    if spec.on_behalf:
        assert spec.unit_may_post, f"{kind}: recorded for a unit that may not post it itself"


@pytest.mark.parametrize("kind", ALL, ids=str)
def test_the_wire_carries_it_and_the_feedback_api_knows_whether_a_unit_may(
    kind: EventType,
) -> None:
    event = EventIn(id=str(uuid.uuid4()), type=kind.value, at=AT, actor="clerk:a", data={})
    assert event.type is kind
    assert known_wire_type(kind.value) is kind
    body = FeedbackRequest(
        op_id=str(uuid.uuid4()), case_no="AH08-20261124-0001K", type=kind.value, at=AT, by="x"
    )
    assert body.type is kind
    refused_with_reason = set(feedback_route._NOT_FOR_UNITS)
    assert not (refused_with_reason & UNIT_POSTABLE)


@pytest.mark.parametrize("kind", ALL, ids=str)
def test_the_timeline_shows_it(kind: EventType) -> None:
    event = Event("e", "c", kind, AT, "clerk:a", {"reason": "原因", "level": "overdue"})
    assert step_label(event)
    summarise(event)  # never raises, whatever the type


def test_citizens_see_an_allow_list() -> None:
    # Internal steps stay internal, and a new type is hidden until declared public.
    for kind in (
        EventType.NOTE,
        EventType.PII_VIEWED,
        EventType.RECEIPT_PRINTED,
        EventType.DEADLINE_RECOMPUTED,
        EventType.LEVEL_CROSSED,
        EventType.RETURN_REVIEWED,
        EventType.EXTENSION_REQUESTED,
        EventType.RATING_APPEALED,
    ):
        assert kind not in PUBLIC_EVENTS
    assert EventType.REFERRED in PUBLIC_EVENTS


def test_an_unknown_type_is_refused_with_its_own_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        EventIn(id=str(uuid.uuid4()), type="teleported", at=AT, actor="clerk:a")
    [error] = caught.value.errors()
    assert error["type"] == UNKNOWN_EVENT_TYPE
    assert "upgrade the server first" in error["msg"]
    assert "teleported" in error["msg"]
