"""Settling conflicts (audited), masking both versions, and what a sync round reports as changed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dnw_desk.domain.case import Status
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.services.desk import Desk
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.tables import audit_log
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.client import SyncClient, SyncReport, SyncStatus
from dnw_desk.sync.conflicts import Resolution, mask_free_text, masked, settle
from dnw_desk.sync.worker import Backoff, SyncWorker
from tests.factories import VALID_ID, desk_at, register
from tests.sync.conftest import LiveServer, Tokens
from tests.sync.test_sync import _post_feedback

REGISTRATION = {
    "case_no": "AH08-20261124-0001A",
    "event": {
        "type": "registered",
        "data": {
            "complainant": {
                "kind": "person",
                "name": "张三",
                "phone": "+8613812345678",
                "id_number": VALID_ID,
                "contact_person": "",
            },
            "derived": {"phone_display": "138 1234 5678", "birth_date": "1990-03-07"},
            "matter": {"description": f"他说身份证是{VALID_ID}，电话 0551-6123 4567"},
        },
    },
}


def test_masked_hides_personal_data_everywhere_but_keeps_enterprises() -> None:
    shown = masked(REGISTRATION)
    complainant = shown["event"]["data"]["complainant"]
    assert complainant["name"] == "张*"
    assert complainant["phone"] == "138****5678"
    assert complainant["id_number"].startswith("110") and "*" in complainant["id_number"]
    assert shown["event"]["data"]["derived"]["birth_date"] == "*" * 10
    assert contains_unmasked_pii(repr(shown)) == []
    assert shown["case_no"] == REGISTRATION["case_no"]  # not personal
    enterprise = masked({"kind": "enterprise", "name": "某某有限公司", "contact_person": "王五"})
    assert enterprise == {"kind": "enterprise", "name": "某某有限公司", "contact_person": "王*"}
    assert mask_free_text("请回电 13812345678") == "请回电 138****5678"


def _conflict(desk: Desk, case_id: str | None = None) -> int:
    now = desk.clock()
    with desk.db.write() as conn:
        sync_state.record_conflict(
            conn,
            direction="push",
            code="workflow",
            message="the unit already gave its opinion",
            now=now,
            op_id="op-1",
            case_id=case_id,
            case_no="AH08-20261124-0001A",
            local_version=REGISTRATION,
            server_version={"status": "opinion_given", "events": []},
        )
        return sync_state.open_conflicts(conn)[-1].id


def test_settling_closes_the_conflict_and_audits_the_decision(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id = register(desk).case.id
    first, second = _conflict(desk, case_id), _conflict(desk)
    with desk.db.write() as conn:
        assert settle(conn, first, Resolution.KEEP_DESK, "shift_lead:li", desk.clock())
        assert not settle(conn, first, Resolution.ACCEPT_SERVER, "shift_lead:li", desk.clock())
        assert settle(conn, second, Resolution.ACCEPT_SERVER, "shift_lead:li", desk.clock())
    with desk.db.read() as conn:
        assert sync_state.open_conflicts(conn) == []
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.case_id, audit_log.c.detail)
            .where(audit_log.c.action.like("sync.conflict.%"))
            .order_by(audit_log.c.id)
        ).all()
        assert verify_chain(conn).ok
    assert [(r.action, r.actor, r.case_id) for r in rows] == [
        ("sync.conflict.keep_desk", "shift_lead:li", case_id),
        ("sync.conflict.accept_server", "shift_lead:li", None),
    ]
    assert rows[0].detail["conflict"] == first and rows[0].detail["code"] == "workflow"
    desk.close()


def test_a_round_reports_the_cases_pulled_feedback_changed(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    first, second = register(enrolled_desk).case, register(enrolled_desk).case
    client = SyncClient(
        enrolled_desk.db, live_server.url, server_tokens.terminal, clock=enrolled_desk.clock
    )
    report = client.sync_once()
    assert report.pushed == 4 and report.changed_case_ids == frozenset()
    _post_feedback(live_server, server_tokens, second.number)
    report = client.sync_once()
    client.close()
    assert report.pulled == 1 and report.changed_case_ids == frozenset({second.id})
    with enrolled_desk.db.read() as conn:
        row = cases_repo.get_case_by_number(conn, second.number)
    assert row is not None and row.status == Status.OPINION_GIVEN
    assert first.id not in report.changed_case_ids


class _Client:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome

    def sync_once(self) -> SyncReport:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome  # type: ignore[no-any-return]

    def close(self) -> None:
        pass


def test_worker_hands_on_the_report_and_survives_an_unexpected_error() -> None:
    outcomes: list[Any] = [
        OSError("database or disk is full"),
        SyncReport(pulled=1, changed_case_ids=frozenset({"c1"})),
    ]
    statuses: list[SyncStatus] = []
    reports: list[SyncReport] = []
    done = threading.Event()

    def on_report(report: SyncReport) -> None:
        reports.append(report)
        done.set()

    worker = SyncWorker(
        lambda: _Client(outcomes.pop(0)) if outcomes else None,  # type: ignore[return-value]
        statuses.append,
        interval=0.01,
        backoff=Backoff(base=0.01, cap=0.02),
        on_report=on_report,
    )
    worker.start()
    assert done.wait(10)
    worker.stop()
    assert statuses[0].state == "error" and "disk is full" in (statuses[0].error or "")
    assert reports[0].changed_case_ids == frozenset({"c1"})
    assert statuses[1].state == "synced"
