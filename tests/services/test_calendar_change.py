"""Recomputing open cases' deadlines after a calendar change (issue 3, docs/rules.md#calendar)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.calendar_override import parse_override
from dnw_desk.domain.case import EventType, Status, fold
from dnw_desk.services.calendar_change import recompute_open_deadlines
from dnw_desk.services.desk import Desk, deadline_calculator
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.tables import audit_log, case_events, outbox
from tests.factories import CLERK, SHIFT_LEAD, desk_at, register

# The official 2027 schedule (as far as this test is concerned) makes Monday 4 January a holiday.
OVERRIDE_2027 = """\
source = "test notice"
version = "2027.1"
complete_years = [2027]
[[holiday]]
dates = [2027-01-01, 2027-01-02, 2027-01-03, 2027-01-04]
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HALL_TZ)


def _count(desk: Desk, table: object) -> int:
    with desk.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _recompute(desk: Desk, calendar: WorkingCalendar):  # type: ignore[no-untyped-def]
    return recompute_open_deadlines(
        desk.db,
        deadline_calculator(desk.settings, calendar),
        desk.terminal,
        actor="admin:test",
        now=at("2026-12-31 18:00"),
    )


def _close(desk: Desk, case_id: str) -> None:
    for event_type, data in [
        (EventType.OPINION_GIVEN, {"kind": "handled", "text": "已办理", "unit": "省公安厅"}),
        (EventType.COMPLAINANT_INFORMED, {"channel": "phone"}),
        (EventType.WINDOW_INFORMED, {}),
        (EventType.CLOSED, {}),
    ]:
        desk.cases.record(case_id, event_type, CLERK, data)


def test_open_cases_get_the_official_deadline_closed_and_extended_ones_stay(
    data_dir: Path,
) -> None:
    desk, clock = desk_at(data_dir, at("2026-12-29 10:00"))
    official = register(desk).case  # due 2026-12-30: not affected
    clock.now = at("2026-12-31 10:00")
    pending = register(desk).case
    closed = register(desk).case
    extended = register(desk).case
    assert pending.deadline == at("2027-01-04 17:30") and pending.deadline_provisional
    _close(desk, closed.id)
    desk.cases.record(
        extended.id,
        EventType.EXTENSION_GRANTED,
        SHIFT_LEAD,
        {"deadline": "2027-01-08T17:30:00+08:00", "reason": "跨部门", "approved_by": "li"},
    )
    before = {name: _count(desk, t) for name, t in [("ev", case_events), ("ob", outbox)]}
    audit_before = _count(desk, audit_log)

    calendar = WorkingCalendar(parse_override(OVERRIDE_2027))
    result = _recompute(desk, calendar)

    assert result.examined == 3  # official, pending, extended; the closed case is not looked at
    assert [c.case_id for c in result.changed] == [pending.id]
    assert result.kept_extensions == 1
    assert result.changes.case_ids == {pending.id} and result.changes.calendar
    change = result.changed[0]
    assert (change.previous, change.deadline) == (at("2027-01-04 17:30"), at("2027-01-05 17:30"))
    assert change.previous_provisional and not change.provisional
    with desk.db.read() as conn:
        rows = {c: cases_repo.get_case(conn, c) for c in (official.id, pending.id, closed.id)}
        ext = cases_repo.get_case(conn, extended.id)
        assert verify_chain(conn).ok
        events = cases_repo.load_events(conn, pending.id)
    row = rows[pending.id]
    assert row is not None
    assert row.deadline == at("2027-01-05 17:30") and not row.deadline_provisional
    assert row.calendar_version == calendar.version
    assert rows[official.id] is not None and rows[official.id].calendar_version == calendar.version  # type: ignore[union-attr]
    closed_row = rows[closed.id]
    assert closed_row is not None and closed_row.status == Status.CLOSED
    assert (
        closed_row.deadline == closed.deadline and closed_row.calendar_version != calendar.version
    )
    assert ext is not None and ext.deadline == at("2027-01-08 17:30")
    assert events[-1].type is EventType.DEADLINE_RECOMPUTED
    folded = fold(events)  # the cached columns agree with the timeline
    assert (folded.deadline, folded.deadline_provisional) == (row.deadline, False)
    assert folded.status == row.status
    assert events[-1].data["previous_deadline"] == "2027-01-04T17:30:00+08:00"
    # one event + one outbox op for the changed case; its audit entry plus one summary entry
    assert _count(desk, case_events) == before["ev"] + 1
    assert _count(desk, outbox) == before["ob"] + 1
    assert _count(desk, audit_log) == audit_before + 2

    # The timeline now carries the new deadline: a later event keeps it.
    clock.now = at("2027-01-05 09:00")
    desk.cases.record(pending.id, EventType.UNIT_ACCEPTED, CLERK, {"unit": "省公安厅"})
    with desk.db.read() as conn:
        after = cases_repo.get_case(conn, pending.id)
    assert after is not None and after.deadline == at("2027-01-05 17:30")

    # Running it again with the same calendar changes nothing.
    again = _recompute(desk, calendar)
    assert again.changed == () and again.examined == 3
    desk.close()


def test_a_failure_rolls_everything_back(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir, at("2026-12-31 10:00"))
    case = register(desk).case
    events, audit = _count(desk, case_events), _count(desk, audit_log)

    class Broken:
        calendar_version = "broken"
        rule = "civil-code"

        def deadline_for(self, referred_at: datetime) -> object:
            raise RuntimeError("calendar exploded")

    with pytest.raises(RuntimeError):
        recompute_open_deadlines(
            desk.db,
            Broken(),  # type: ignore[arg-type]
            desk.terminal,
            actor="admin:test",
            now=at("2026-12-31 18:00"),
        )
    with desk.db.read() as conn:
        row = cases_repo.get_case(conn, case.id)
    assert row is not None and row.calendar_version != "broken"
    assert (_count(desk, case_events), _count(desk, audit_log)) == (events, audit)
    desk.close()
