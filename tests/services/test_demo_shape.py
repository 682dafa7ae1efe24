"""Demo data follows the counter's own rules: every demo case and event is shaped exactly as
the desk's use cases shape them (a not-accepted case is filed under its refusal reason, the
referral happens with the registration, each step carries the fields its form records), so
reports built from demo data show what real data would."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.domain.registration import Registration
from dnw_desk.services.demo_data import generate
from dnw_desk.services.handling import handling_for
from dnw_desk.store import cases_repo
from dnw_desk.store.tables import cases, complainant_keys
from tests.factories import CLERK, SHIFT_LEAD, desk_at

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=HALL_TZ)
# Columns whose values differ from case to case but whose presence is the shape.
_VARYING = {"id", "number", "day", "serial", "verification_code"}


def _shape(value: Any) -> Any:
    """Keys all the way down, and the type of each leaf (None stays None)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_shape(item) for item in value[:1]]
    return None if value is None else type(value).__name__


def _row(conn: Any, case_id: str) -> dict[str, Any]:
    return dict(conn.execute(select(cases).where(cases.c.id == case_id)).one()._mapping)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    desk, _clock = desk_at(tmp_path_factory.mktemp("demo"), NOW)
    generate(desk, 400, 15, seed=7)
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory, demo):  # type: ignore[no-untyped-def]
    """Cases registered and handled through the desk's own use cases, step by step, from the
    registrations of demo cases (one accepted and carried to its end, one not accepted)."""
    desk, clock = desk_at(tmp_path_factory.mktemp("real"), NOW - timedelta(days=1))
    with demo.db.read() as conn:
        refused_id = conn.execute(
            select(cases.c.id).where(cases.c.status == "not_accepted").limit(1)
        ).scalar_one()
        refused_events = cases_repo.load_events(conn, refused_id)
        closed_id = conn.execute(
            select(cases.c.id).where(cases.c.status == "closed").limit(1)
        ).scalar_one()
        closed_events = cases_repo.load_events(conn, closed_id)
    settings = desk.settings
    refusal = next(e for e in refused_events if e.type is EventType.NOT_ACCEPTED).data
    refused = desk.cases.register_not_accepted(
        Registration.from_data(refused_events[0].data),
        CLERK,
        reason_code=refusal["reason_code"],
        reason=refusal["reason"],
        advice=refusal["advice"],
        units=settings.units,
    ).case.id

    def registered(consent: bool) -> str:
        data = closed_events[0].data
        data = {**data, "complainant": {**data["complainant"], "consent_callback": consent}}
        return desk.cases.register(
            Registration.from_data(data),
            CLERK,
            categories=settings.categories,
            units=settings.units,
        ).case.id

    saved = registered(True)
    unconsenting = registered(False)
    handling = handling_for(desk)
    feedback: list[tuple[EventType, dict[str, Any]]] = [
        (EventType.OPINION_GIVEN, {"kind": "handled", "text": "已按规定办理并答复"}),
        (EventType.COMPLAINANT_INFORMED, {"channel": "phone", "at": None, "by": "单位联络员"}),
        (EventType.WINDOW_INFORMED, {"at": None, "by": "单位联络员"}),
    ]
    steps: list[tuple[EventType, dict[str, Any]]] = [
        (EventType.UNIT_RETURNED, {"reason": "不属于本单位职责"}),
        (EventType.RETURN_REVIEWED, {"decision": "accepted"}),
        (EventType.REFERRED, {"unit": settings.units[1]}),
        (EventType.UNIT_ACCEPTED, {"by": "单位联络员"}),
        (EventType.ESCALATED, {"to": "带班负责人", "note": "逾期督办"}),
        *feedback,
        (
            EventType.CALLBACK,
            {"at": None, "channel": "phone", "satisfaction": "unsatisfied", "comment": ""},
        ),
        (EventType.RECTIFICATION_REPORTED, {"text": "已完成整改"}),
        (EventType.CALLBACK, {"at": None, "channel": "phone", "satisfaction": "satisfied"}),
        (EventType.CLOSED, {}),
    ]
    for case_id, path in (
        (saved, steps),
        (
            unconsenting,
            [
                (EventType.UNIT_ACCEPTED, {"by": "单位联络员"}),
                *feedback,
                (EventType.CALLBACK_SKIPPED, {}),
                (EventType.CLOSED, {}),
            ],
        ),
    ):
        for event_type, values in path:
            clock.advance(minutes=10)
            if "at" in values:
                values = {**values, "at": clock()}
            actor = SHIFT_LEAD if event_type is EventType.ESCALATED else CLERK
            handling.perform(case_id, event_type, actor, values)
    yield desk, refused, saved, unconsenting
    desk.close()


def test_a_not_accepted_demo_case_is_filed_as_the_intake_files_it(demo, real) -> None:  # type: ignore[no-untyped-def]
    real_desk, refused, _saved, _unconsenting = real
    with demo.db.read() as conn:
        rows = conn.execute(select(cases.c.id).where(cases.c.status == "not_accepted")).all()
        assert rows
        for (case_id,) in rows:
            events = cases_repo.load_events(conn, case_id)
            reason_code = events[1].data["reason_code"]
            assert _row(conn, case_id)["category"] == reason_code  # never a real category
            assert [e.type for e in events] == [EventType.REGISTERED, EventType.NOT_ACCEPTED]
            assert events[1].at == events[0].at  # recorded in the same step
    with real_desk.db.read() as conn:
        real_row = _row(conn, refused)
        real_events = cases_repo.load_events(conn, refused)
    with demo.db.read() as conn:
        demo_row = _row(conn, rows[0][0])
        demo_events = cases_repo.load_events(conn, rows[0][0])
    assert {k: _shape(v) for k, v in demo_row.items() if k not in _VARYING} == {
        k: _shape(v) for k, v in real_row.items() if k not in _VARYING
    }
    assert [_shape(e.data) for e in demo_events] == [_shape(e.data) for e in real_events]


def test_every_demo_event_has_the_shape_the_use_case_gives_it(demo, real) -> None:  # type: ignore[no-untyped-def]
    real_desk, refused, saved, unconsenting = real
    expected: dict[EventType, Any] = {}
    with real_desk.db.read() as conn:
        for case_id in (refused, saved, unconsenting):
            for event in cases_repo.load_events(conn, case_id):
                expected.setdefault(event.type, _shape(event.data))
    seen: dict[EventType, set[str]] = defaultdict(set)
    with demo.db.read() as conn:
        for (case_id,) in conn.execute(select(cases.c.id)):
            events = cases_repo.load_events(conn, case_id)
            if len(events) > 1 and events[1].type is EventType.REFERRED:
                assert events[1].at == events[0].at  # referred with the registration
            for event in events:
                shape = _shape(event.data)
                if event.type is EventType.REGISTERED:
                    # An ID number adds its derived fields; an enterprise has no ID number.
                    shape = {**shape, "derived": {}}
                    want = {**expected[event.type], "derived": {}}
                    assert shape.keys() == want.keys()
                    continue
                assert shape == expected[event.type], event.type
                seen[event.type].add(case_id)
    assert set(seen) >= set(expected) - {EventType.REGISTERED}


def test_a_handled_demo_case_row_matches_the_use_case_row(demo, real) -> None:  # type: ignore[no-untyped-def]
    real_desk, _refused, saved, _unconsenting = real
    with real_desk.db.read() as conn:
        real_row = _row(conn, saved)
    with demo.db.read() as conn:
        closed = conn.execute(select(cases.c.id).where(cases.c.status == "closed")).scalars()
        for case_id in list(closed)[:50]:
            row = _row(conn, case_id)
            assert {k: _shape(v) for k, v in row.items() if k not in _VARYING} == {
                k: _shape(v) for k, v in real_row.items() if k not in _VARYING
            } | {
                "id_number": _shape(row["id_number"]),
                "credit_code": _shape(row["credit_code"]),
            }
        # Every demo case can be found by its complainant, as a registered one can.
        indexed = conn.execute(select(func.count(func.distinct(complainant_keys.c.case_id))))
        stored = conn.execute(select(func.count()).select_from(cases))
        assert indexed.scalar_one() == stored.scalar_one()


def test_demo_cases_use_the_same_refusal_reasons_as_the_intake() -> None:
    from dnw_desk.services.demo_data import REFUSALS
    from dnw_desk.services.reference_data import refusal_reasons

    known = {reason.code: reason.label_zh for reason in refusal_reasons()}
    for code, reason, _advice in REFUSALS:
        assert known[code] == reason
