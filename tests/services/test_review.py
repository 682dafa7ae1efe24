"""The review's figures, handover notes, the bulletin, export authorisation, and the handling
steps of the case detail (validation, roles, unmasking)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType, Status
from dnw_desk.domain.errors import FieldErrors, WorkflowError
from dnw_desk.services.cases import PermissionDenied
from dnw_desk.services.handling import MaskedField, handling_for, possible_actions
from dnw_desk.services.queue import QueueQuery, QueueService, QueueView, SortKey
from dnw_desk.services.review import ExportRequest, review_for
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.cases_repo import CaseFilter
from dnw_desk.store.tables import audit_log, case_events
from tests.factories import (
    CLERK,
    SHIFT_LEAD,
    TODAY,
    VALID_ID,
    desk_at,
    register,
    register_refused,
)

START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def _feed_back(desk, case_id: str) -> None:  # type: ignore[no-untyped-def]
    handling = handling_for(desk)
    handling.perform(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已办"})
    handling.perform(
        case_id,
        EventType.COMPLAINANT_INFORMED,
        CLERK,
        {"channel": "phone", "at": desk.clock().isoformat(), "by": "王"},
    )
    handling.perform(
        case_id, EventType.WINDOW_INFORMED, CLERK, {"at": desk.clock().isoformat(), "by": "联系人"}
    )


def test_day_review_counts_and_breakdowns(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    first = register(desk).case.id
    register(desk, lead_unit="省民政厅")
    register_refused(desk, "x-petition", "信访事项", "请到信访部门")
    clock.advance(hours=1)
    _feed_back(desk, first)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)  # the other is due soon
    review = review_for(desk).day_review(SHIFT_LEAD, TODAY)
    figures = review.figures
    assert (figures.registered, figures.not_accepted, figures.pending) == (3, 1, 1)
    assert (figures.fed_back, figures.on_time, figures.on_time_rate) == (1, 1, 1.0)
    assert figures.due_soon == 1 and figures.overdue == 0
    units = {b.key: b for b in review.by_unit}
    assert units["省民政厅"].pending == 1 and units["省民政厅"].registered == 1
    assert {b.key for b in review.by_category} == {"3", "x-petition"}


def test_a_clerk_cannot_open_the_review_or_write_the_handover(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    service = review_for(desk)
    with pytest.raises(PermissionDenied):
        service.day_review(CLERK, TODAY)
    with pytest.raises(PermissionDenied):
        service.save_handover(CLERK, "注意")


def test_handover_note_is_kept_and_shown_next_day(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    service = review_for(desk)
    with pytest.raises(FieldErrors):
        service.save_handover(SHIFT_LEAD, "  ")
    service.save_handover(SHIFT_LEAD, "明早催办省公安厅两件")
    note = service.handover(date(2026, 11, 25))
    assert note is not None and note.text == "明早催办省公安厅两件"
    assert note.author == "值班长 li"  # a person, never the stored key


def test_returns_are_counted_per_unit_in_the_bulletin(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    handling = handling_for(desk)
    handling.perform(case_id, EventType.UNIT_RETURNED, CLERK, {"reason": "不属本单位职责"})
    handling.perform(case_id, EventType.REFERRED, CLERK, {"unit": "省民政厅"})
    handling.perform(case_id, EventType.UNIT_RETURNED, CLERK, {"reason": "再次退回"})
    handling.perform(case_id, EventType.REFERRED, CLERK, {"unit": "省公安厅"})
    clock.advance(hours=1)
    _feed_back(desk, case_id)
    handling.perform(
        case_id,
        EventType.CALLBACK,
        CLERK,
        {"at": desk.clock().isoformat(), "channel": "phone", "satisfaction": "satisfied"},
    )
    bulletin = review_for(desk).unit_bulletin(date(2026, 11, 1))
    units = {u.unit: u for u in bulletin.units}
    assert units["省公安厅"].returns == 1 and units["省民政厅"].returns == 1
    assert units["省公安厅"].referrals == 2  # at registration and after the second return
    assert units["省公安厅"].fed_back == 1 and units["省公安厅"].on_time_rate == 1.0
    assert units["省公安厅"].callbacks == 1 and units["省公安厅"].score == 4
    assert units["省公安厅"].average_hours == pytest.approx(1.0)
    assert bulletin.totals.returns == 2
    view = handling.view(case_id)
    from dnw_desk.services.handling import returns_by_unit

    assert returns_by_unit(view.state) == {"省公安厅": 1, "省民政厅": 1}


def test_unmasked_export_needs_role_and_reason_and_is_audited(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    register(desk, id_number=VALID_ID)
    service = review_for(desk)
    unmasked = ExportRequest(TODAY, TODAY, masked=False, reason="")
    with pytest.raises(FieldErrors):
        service.authorise_export(SHIFT_LEAD, unmasked)
    with pytest.raises(PermissionDenied):
        service.authorise_export(CLERK, ExportRequest(TODAY, TODAY, False, "核对身份"))
    request = ExportRequest(TODAY, TODAY, False, "核对身份")
    who = service.authorise_export(SHIFT_LEAD, request)
    service.record_export(who, request, rows=1)
    with desk.db.read() as conn:
        entry = conn.execute(select(audit_log).order_by(audit_log.c.id.desc())).first()
        assert verify_chain(conn).ok
    assert entry is not None and entry.action == "export.unmasked"
    assert entry.detail["reason"] == "核对身份"
    rows = list(service.iter_ledger(ExportRequest(TODAY, TODAY, False, "核对身份")))
    assert rows[0].phone == "+8613812345678" and rows[0].id_number == VALID_ID
    masked = list(service.iter_ledger(ExportRequest(TODAY, TODAY)))
    assert masked[0].phone == "138****5678" and masked[0].complainant == "张*"
    assert masked[0].id_number == "110***********0017"


def test_ledger_streams_in_batches_in_registration_order(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    numbers = []
    for _ in range(7):
        numbers.append(register(desk).case.number)
        clock.advance(minutes=1)
    rows = list(review_for(desk).iter_ledger(ExportRequest(TODAY, TODAY), batch=3))
    assert [r.number for r in rows] == numbers


def test_action_forms_validate_each_field(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    handling = handling_for(desk)
    with pytest.raises(FieldErrors) as caught:
        handling.perform(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "nonsense"})
    assert set(caught.value.errors) == {"kind", "text"}
    with pytest.raises(FieldErrors) as caught:
        handling.perform(case_id, EventType.REFERRED, CLERK, {"unit": "不存在的单位"})
    assert "unit" in caught.value.errors
    handling.perform(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已办"})
    with pytest.raises(FieldErrors) as caught:
        handling.perform(
            case_id,
            EventType.COMPLAINANT_INFORMED,
            CLERK,
            {"channel": "phone", "by": "王", "at": "2026-11-24T18:00:00+08:00"},
        )
    assert "at" in caught.value.errors  # in the future
    with pytest.raises(WorkflowError):
        handling.perform(
            case_id,
            EventType.CALLBACK,
            CLERK,
            {"at": desk.clock().isoformat(), "channel": "phone", "satisfaction": "satisfied"},
        )


def test_extension_is_for_shift_leads_and_must_be_later(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    handling = handling_for(desk)
    later = {"deadline": "2026-11-27T17:30:00+08:00", "reason": "需跨部门核查"}
    with pytest.raises(PermissionDenied):
        handling.perform(case_id, EventType.EXTENSION_GRANTED, CLERK, later)
    with pytest.raises(FieldErrors) as caught:
        handling.perform(
            case_id,
            EventType.EXTENSION_GRANTED,
            SHIFT_LEAD,
            {"deadline": "2026-11-25T12:00:00+08:00", "reason": "x"},
        )
    assert "deadline" in caught.value.errors
    saved = handling.perform(case_id, EventType.EXTENSION_GRANTED, SHIFT_LEAD, later)
    assert saved.case.deadline == datetime(2026, 11, 27, 17, 30, tzinfo=HALL_TZ)
    state = handling.view(case_id).state
    assert possible_actions(state, CLERK)[EventType.EXTENSION_GRANTED] is False
    assert possible_actions(state, SHIFT_LEAD)[EventType.EXTENSION_GRANTED] is True
    assert possible_actions(state, CLERK)[EventType.CLOSED] is False


def test_reveal_needs_role_and_reason_and_records_it_without_the_value(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, START)
    case_id = register(desk, id_number=VALID_ID).case.id
    handling = handling_for(desk)
    assert handling.view(case_id).masked[MaskedField.PHONE] == "138****5678"
    with pytest.raises(PermissionDenied):
        handling.reveal(case_id, MaskedField.ID_NUMBER, "核对身份", CLERK)
    with pytest.raises(FieldErrors):
        handling.reveal(case_id, MaskedField.PHONE, " ", SHIFT_LEAD)
    revealed = handling.reveal(case_id, MaskedField.ID_NUMBER, "核对身份", SHIFT_LEAD)
    assert revealed.value == VALID_ID
    with desk.db.read() as conn:
        event = conn.execute(select(case_events).where(case_events.c.type == "pii_viewed")).one()
        audit = conn.execute(select(audit_log).where(audit_log.c.action == "case.pii_viewed")).one()
    assert event.data == {"field": "id_number", "reason": "核对身份"}
    assert VALID_ID not in str(audit.detail) and VALID_ID not in str(event.data)
    # The clerk who calls back sees the phone as dialled.
    assert handling.reveal(case_id, MaskedField.PHONE, "回访", CLERK).value == "138 1234 5678"


def test_queue_pages_filter_and_order_in_sql(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    early = register(desk, service_item="社保转移").case
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=HALL_TZ)
    late = register(desk, lead_unit="省民政厅").case
    service = QueueService(desk.db)
    today = date(2026, 11, 25)
    page = service.page(QueueQuery(), today, 0, 10)
    assert [r.id for r in page.rows] == [early.id, late.id]  # nearest deadline first
    assert page.rows[0].complainant == "张*"
    by_number_desc = QueueQuery(sort=SortKey.NUMBER, descending=True)
    assert [r.id for r in service.page(by_number_desc, today, 0, 10).rows] == [late.id, early.id]
    assert service.count(QueueQuery(view=QueueView.TODAY), today) == 1
    text = QueueQuery(filter=CaseFilter(text="社保"))
    assert [r.id for r in service.page(text, today, 0, 10).rows] == [early.id]
    closed_only = QueueQuery(filter=CaseFilter(statuses=[Status.CLOSED.value]))
    assert service.count(closed_only, today) == 0
    first = service.page(QueueQuery(), today, 0, 1)
    assert first.more and len(first.rows) == 1


def test_the_ledger_shows_the_satisfaction_of_the_latest_callback(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    called = register(desk).case.id
    silent = register(desk).case.id
    handling = handling_for(desk)
    clock.advance(hours=1)
    _feed_back(desk, called)
    handling.perform(
        called,
        EventType.CALLBACK,
        CLERK,
        {"at": desk.clock().isoformat(), "channel": "phone", "satisfaction": "satisfied"},
    )
    rows = {
        row.number: row
        for row in review_for(desk).iter_ledger(ExportRequest(START.date(), START.date()), batch=1)
    }
    by_id = {desk.cases.by_number(number).id: row for number, row in rows.items()}  # type: ignore[union-attr]
    assert by_id[called].satisfaction == "satisfied"
    assert by_id[silent].satisfaction == ""


def test_a_case_escalated_before_its_deadline_is_not_counted_overdue(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    clock.advance(hours=1)
    handling_for(desk).perform(
        case_id, EventType.ESCALATED, SHIFT_LEAD, {"to": "带班负责人", "note": "群众反映强烈"}
    )
    figures = review_for(desk).day_review(SHIFT_LEAD, TODAY).figures
    assert (figures.pending, figures.overdue) == (1, 0)  # 督办 is not 逾期
    clock.now = datetime(2026, 11, 25, 17, 31, tzinfo=HALL_TZ)  # past its deadline
    review = review_for(desk).day_review(SHIFT_LEAD, TODAY)
    assert review.figures.overdue == 1
    assert sum(b.overdue for b in review.by_unit) == 1
