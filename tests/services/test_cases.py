from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from dnw_desk.contract.sqltypes import stored_json
from dnw_desk.domain.case import EventType, Status
from dnw_desk.domain.errors import FieldErrors, WorkflowError
from dnw_desk.services.cases import PermissionDenied
from dnw_desk.services.desk import Desk
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.tables import audit_log, case_events, cases, outbox
from tests.factories import (
    CLERK,
    SHIFT_LEAD,
    VALID_ID,
    desk_at,
    register,
    register_refused,
)


def _counts(desk) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    with desk.db.read() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (cases, case_events, outbox, audit_log)
        }


def test_register_writes_case_events_outbox_and_audit_together(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    saved = register(desk, id_number=VALID_ID)
    row = saved.case
    assert row.number.startswith("AH08-20261124-0001")
    assert row.status == Status.REFERRED
    assert row.deadline is not None and row.deadline.date().isoformat() == "2026-11-25"
    assert row.deadline.strftime("%H:%M") == "17:30"
    assert row.calendar_version
    assert row.phone == "+8613812345678"
    assert _counts(desk) == {"cases": 1, "case_events": 2, "outbox": 2, "audit_log": 2}
    with desk.db.read() as conn:
        assert verify_chain(conn).ok
        registered = cases_repo.load_events(conn, row.id)[0]
    assert registered.type is EventType.REGISTERED
    assert registered.data["derived"]["sex"] == "male"
    assert registered.data["derived"]["birth_date"] == "1990-03-07"


def test_the_saved_case_is_the_row_as_stored(data_dir: Path) -> None:
    """Registration returns the row it inserted without reading it back: it must be what a
    read gives, default columns and hall-time datetimes included."""
    desk, _clock = desk_at(data_dir)
    accepted = register(desk, id_number=VALID_ID)
    refused = register_refused(desk, "x-petition", "信访事项", "请到信访局反映")
    with desk.db.read() as conn:
        for saved in (accepted, refused):
            # repr, not ==: aware datetimes compare equal across time zones, and True == 1.
            assert repr(saved.case) == repr(cases_repo.get_case(conn, saved.case.id))


def test_serials_run_per_day_and_restart_next_day(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir)
    numbers = [register(desk).case.number for _ in range(3)]
    assert [n.split("-")[2][:4] for n in numbers] == ["0001", "0002", "0003"]
    clock.advance(days=1)
    assert register(desk).case.number.split("-")[1:3][1][:4] == "0001"


def test_bad_input_is_refused_field_by_field_and_nothing_written(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    with pytest.raises(FieldErrors) as caught:
        register(desk, phone="123", id_number="110105199003070018", lead_unit="", service_item=" ")
    assert set(caught.value.errors) == {"phone", "id_number", "lead_unit", "service_item"}
    assert _counts(desk) == {"cases": 0, "case_events": 0, "outbox": 0, "audit_log": 0}


def test_category_evidence_is_required(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    with pytest.raises(FieldErrors) as caught:
        register(desk, category="2")
    assert "earlier_visits" in caught.value.errors
    with pytest.raises(FieldErrors) as caught:
        register(desk, category="4")
    assert "ysj_reference" in caught.value.errors


def test_not_accepted_is_recorded_with_reason(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    saved = register_refused(desk, "x-petition", "信访事项", "请到信访部门反映")
    assert saved.case.status == Status.NOT_ACCEPTED
    events = desk.cases.events(saved.case.id)
    assert [e.type for e in events] == [EventType.REGISTERED, EventType.NOT_ACCEPTED]


def test_feedback_cycle_and_on_time(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir)
    case_id = register(desk).case.id
    clock.advance(hours=2)
    desk.cases.record(
        case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已受理"}
    )
    desk.cases.record(case_id, EventType.COMPLAINANT_INFORMED, CLERK, {"channel": "phone"})
    row = desk.cases.record(case_id, EventType.WINDOW_INFORMED, CLERK, {"by": "单位联系人"}).case
    assert row.status == Status.FED_BACK
    assert row.on_time is True


def test_illegal_step_is_refused_and_not_written(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id = register(desk).case.id
    before = _counts(desk)
    with pytest.raises(WorkflowError):
        desk.cases.record(case_id, EventType.CALLBACK, CLERK, {"satisfaction": "satisfied"})
    assert _counts(desk) == before


def test_only_a_shift_lead_grants_extensions(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    row = register(desk).case
    assert row.deadline is not None
    later = (row.deadline.replace(day=row.deadline.day + 1)).isoformat()
    with pytest.raises(PermissionDenied):
        desk.cases.record(row.id, EventType.EXTENSION_GRANTED, CLERK, {"deadline": later})
    extended = desk.cases.record(
        row.id, EventType.EXTENSION_GRANTED, SHIFT_LEAD, {"deadline": later, "reason": "需核查"}
    ).case
    assert extended.deadline is not None and extended.deadline.isoformat() == later


def test_queries_filter_and_count(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk, service_item="社保转移")
    register(desk, lead_unit="省民政厅", service_item="婚姻登记")
    with desk.db.read() as conn:
        assert cases_repo.count_cases(conn) == 2
        by_unit = cases_repo.list_cases(conn, cases_repo.CaseFilter(unit="省民政厅"))
        assert [r.service_item for r in by_unit] == ["婚姻登记"]
        by_text = cases_repo.list_cases(conn, cases_repo.CaseFilter(text="社保"))
        assert [r.service_item for r in by_text] == ["社保转移"]
        by_number = cases_repo.get_case_by_number(conn, by_text[0].number)
        assert by_number is not None and by_number.id == by_text[0].id
        assert cases_repo.count_cases(conn, cases_repo.CaseFilter(statuses=["closed"])) == 0


def test_event_data_is_stored_compact_and_in_utf8(data_dir: Path) -> None:
    """Chinese as UTF-8, not six-byte escapes, and no padding after separators: a third of the
    bytes of an event (lean storage, issue 16)."""
    desk, _clock = desk_at(data_dir)
    saved = register(desk)
    conn = sqlite3.connect(desk.db.path)
    try:
        (stored,) = conn.execute(
            "SELECT data FROM case_events WHERE case_id = ? AND type = 'registered'",
            (saved.case.id,),
        ).fetchone()
        (detail,) = conn.execute("SELECT detail FROM audit_log ORDER BY id DESC").fetchone()
    finally:
        conn.close()
    assert saved.case.service_item in stored and "\\u" not in stored
    assert ", " not in stored and '": ' not in stored
    assert json.loads(stored) == stored_event_data(desk, saved.case.id)
    assert ", " not in detail


def stored_event_data(desk: Desk, case_id: str) -> dict[str, object]:
    with desk.db.read() as conn:
        return dict(cases_repo.load_events(conn, case_id)[0].data)


def test_text_utf8_cannot_carry_keeps_its_escapes() -> None:
    assert stored_json({"a": "\ud800"}) == '{"a":"\\ud800"}'
    assert stored_json({"名": "张三"}) == '{"名":"张三"}'
