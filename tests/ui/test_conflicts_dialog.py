"""The shift lead's sync conflicts: both versions side by side, masked; settling is audited."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.store.tables import audit_log
from dnw_desk.sync import state as sync_state
from dnw_desk.ui.conflicts_dialog import ConflictsDialog, version_text
from dnw_desk.ui.desk_sync import DeskSync
from tests.factories import VALID_ID, register
from tests.ui.conftest import CLERK, LEAD, DeskHarness

PUSHED = {
    "op_id": "5b0e2c1e-0000-4000-8000-000000000001",
    "case_no": "AH08-20261124-0001A",
    "event": {
        "id": "e1",
        "type": "opinion_given",
        "at": "2026-11-24T11:00:00+08:00",
        "actor": "clerk:wang",
        "data": {"kind": "handled", "text": "已电话答复 13812345678"},
    },
}
SERVER = {
    "case_no": "AH08-20261124-0001A",
    "status": "opinion_given",
    "events": [
        {
            "id": "e0",
            "type": "registered",
            "at": "2026-11-24T10:00:00+08:00",
            "actor": "clerk:wang",
            "data": {},
        },
        {
            "id": "e9",
            "type": "opinion_given",
            "at": "2026-11-24T10:45:00+08:00",
            "actor": "unit:省公安厅",
            "data": {"kind": "handled", "text": "已按规定办理"},
        },
    ],
}
PULLED_LOCAL = [{"id": "e0", "type": "registered", "at": "2026-11-24T10:00:00+08:00"}]
PULLED_SERVER = {
    "case_no": "AH08-20261124-0001A",
    "event": {
        "type": "unit_returned",
        "at": "2026-11-24T12:00:00+08:00",
        "actor": "unit:x",
        "data": {"reason": "联系人张三 身份证 " + VALID_ID},
    },
}


def _record_conflicts(harness: DeskHarness) -> str:
    case_id = register(harness.desk).case.id
    now = harness.clock()
    with harness.desk.db.write() as conn:
        sync_state.record_conflict(
            conn,
            direction="push",
            code="workflow",
            message="the unit already gave its opinion",
            now=now,
            op_id=PUSHED["op_id"],  # type: ignore[arg-type]
            case_id=case_id,
            case_no="AH08-20261124-0001A",
            local_version=PUSHED,
            server_version=SERVER,
        )
        sync_state.record_conflict(
            conn,
            direction="pull",
            code="workflow",
            message="the case was closed",
            now=now,
            case_id=case_id,
            case_no="AH08-20261124-0001A",
            local_version=PULLED_LOCAL,
            server_version=PULLED_SERVER,
        )
    return case_id


def _sync(harness: DeskHarness) -> DeskSync:
    return harness.screens.sync


def test_the_lead_sees_both_versions_masked_and_settles_them(
    qtbot: QtBot, english: None, harness: DeskHarness, qtmodeltester: Any
) -> None:
    _record_conflicts(harness)
    harness.login(qtbot, LEAD[0], LEAD[2])
    dialog = ConflictsDialog(harness.ui, harness.window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 2 and dialog.empty.isHidden()
    desk, server = dialog.desk_text.toPlainText(), dialog.server_text.toPlainText()
    assert "Handling opinion given" in desk and "138****5678" in desk
    assert "Status: Opinion given" in server and "unit:省公安厅" in server
    assert contains_unmasked_pii(desk + server) == []

    dialog.table.selectRow(1)
    assert "Unit returned the case" in dialog.server_text.toPlainText()
    assert contains_unmasked_pii(dialog.server_text.toPlainText()) == []
    dialog.keep_button.click()
    assert dialog.model.rowCount() == 1 and dialog.settled == 1
    dialog.accept_button.click()
    assert dialog.model.rowCount() == 0 and dialog.settled == 2
    assert not dialog.empty.isHidden() and not dialog.keep_button.isEnabled()
    with harness.desk.db.read() as conn:
        audited = conn.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.detail["direction"])
            .where(audit_log.c.action.like("sync.conflict.%"))
            .order_by(audit_log.c.id)
        ).all()
        assert sync_state.open_conflict_count(conn) == 0
    # The second row (the pulled event) was settled first, then the one left (the push).
    assert [tuple(row) for row in audited] == [
        ("sync.conflict.keep_desk", "shift_lead:li", "pull"),
        ("sync.conflict.accept_server", "shift_lead:li", "push"),
    ]


def test_the_menu_entry_is_for_the_shift_lead_only(
    qtbot: QtBot, harness: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record_conflicts(harness)
    sync = _sync(harness)
    told: list[str] = []
    monkeypatch.setattr(
        "dnw_desk.ui.desk_sync.QMessageBox.information",
        lambda _parent, _title, text: told.append(text),
    )
    opened: list[object] = []
    monkeypatch.setattr(
        ConflictsDialog, "ask", classmethod(lambda cls, ui, parent: opened.append(ui) or 1)
    )

    harness.login(qtbot, CLERK[0], CLERK[2])
    assert not sync.conflicts_action.isVisible()
    assert sync.open_conflicts() is False and len(told) == 1 and opened == []

    harness.session.show_login()
    harness.login(qtbot, LEAD[0], LEAD[2])
    assert sync.conflicts_action.isVisible() and sync.conflicts_action.isEnabled()
    sync.start()  # not enrolled: the widget says so, the lead still gets the button
    sync.conflicts_action.trigger()
    assert opened == [harness.ui]


def test_the_status_bar_counts_conflicts_for_an_enrolled_desk(
    qtbot: QtBot, english: None, harness: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DNW_CREDENTIAL_STORE", "file")
    _record_conflicts(harness)
    # Enrolled with a server that is not there: the worker goes offline and says so.
    from dnw_desk.sync.credentials import CredentialStore

    location = CredentialStore(harness.desk.data_dir, use_keyring=False).save("dnwt_test")
    now = harness.clock()
    with harness.desk.db.write() as conn:
        sync_state.set_value(conn, sync_state.SERVER_URL, "http://127.0.0.1:9", now)
        sync_state.set_value(conn, sync_state.TERMINAL_ID, 1, now)
        sync_state.set_value(conn, sync_state.CREDENTIAL, location, now)
    harness.login(qtbot, LEAD[0], LEAD[2])
    sync = _sync(harness)
    sync.interval = 3600.0
    sync.start()
    try:
        qtbot.waitUntil(
            lambda: sync.widget.view is not None and sync.widget.view.status.state == "offline",
            timeout=20_000,
        )
        assert sync.widget.label.text().endswith("Conflicts: 2")
        assert sync.widget.label.text().startswith("Offline since 11-24 10:00")
        assert not sync.widget.conflicts_button.isHidden()
        assert sync.widget.conflicts_button.text() == "Conflicts (2)…"
    finally:
        sync.shutdown()


def test_version_text_of_nothing_and_of_unknown_shapes(english: None) -> None:
    assert version_text(None) == "(nothing on this side)"
    assert "phone" in version_text({"phone": "13812345678"})
    assert "13812345678" not in version_text({"phone": "13812345678"})
    assert version_text("plain") == "plain"
