"""Every handling step through the case detail (pytest-qt), the refusals, and unmasking."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.domain.roles import Actor
from dnw_desk.services.desk import Desk
from dnw_desk.services.handling import MaskedField
from dnw_desk.store.cases_repo import CaseRow
from dnw_desk.ui import case_detail
from dnw_desk.ui.action_dialog import ActionDialog
from dnw_desk.ui.case_detail import CaseDetailDialog
from dnw_desk.ui.changes import ChangeBus
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.tasks import ImmediateTaskRunner
from tests.factories import (
    CLERK,
    SHIFT_LEAD,
    VALID_ID,
    desk_at,
    enterprise,
    register,
    registration,
)
from tests.ui.conftest import CLERK as CLERK_LOGIN
from tests.ui.conftest import DeskHarness

START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


@pytest.fixture
def opened(qtbot: QtBot, data_dir: Path):  # type: ignore[no-untyped-def]
    desk, clock = desk_at(data_dir, START)
    case_id = register(desk, id_number=VALID_ID).case.id
    ui = DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=CLERK)

    def open_as(actor: Actor) -> CaseDetailDialog:
        ui.actor = actor
        dialog = CaseDetailDialog(ui, case_id)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    yield ui, clock, open_as
    desk.close()


def _register_enterprise(desk: Desk, actor: Actor) -> CaseRow:
    """An enterprise's case (乙某科技有限公司) with its own description."""
    reg = registration(description="乙的情况描述")
    return desk.cases.register(
        replace(reg, complainant=enterprise("乙某科技有限公司")),
        actor,
        categories=desk.settings.categories,
        units=desk.settings.units,
    ).case


def click_step(
    qtbot: QtBot,
    dialog: CaseDetailDialog,
    monkeypatch,
    step: EventType,  # type: ignore[no-untyped-def]
    values: dict[str, Any],
) -> None:
    monkeypatch.setattr(ActionDialog, "ask", classmethod(lambda cls, *a, **k: values))
    button = dialog.action_buttons[step]
    assert button.isEnabled(), (step, button.toolTip())
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "", dialog.message.text()


def steps(dialog: CaseDetailDialog) -> list[EventType]:
    assert dialog.view is not None
    return [event.type for event in dialog.view.events]


def test_every_handling_step_through_the_detail(qtbot, opened, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ui, clock, open_as = opened
    changes: list[object] = []
    ui.bus.sig_changed.connect(changes.append)
    dialog = open_as(CLERK)
    assert dialog.number_label.text().startswith("AH08-20261124-0001")
    clock.advance(minutes=10)
    now = lambda: clock().isoformat()  # noqa: E731
    script: list[tuple[EventType, dict[str, Any]]] = [
        (EventType.UNIT_ACCEPTED, {"by": "李科长"}),
        (EventType.NOTE, {"text": "单位称需调阅档案"}),
        (EventType.ESCALATED, {"to": "效能办", "note": "催办"}),
        (EventType.UNIT_RETURNED, {"reason": "不属本单位职责"}),
        (EventType.RETURN_REVIEWED, {"decision": "accepted", "reason": ""}),
        (EventType.REFERRED, {"unit": "省民政厅", "note": "改派"}),
        (EventType.OPINION_GIVEN, {"kind": "handled", "text": "已受理并办结"}),
        (EventType.COMPLAINANT_INFORMED, {"channel": "phone", "at": now(), "by": "王"}),
        (EventType.WINDOW_INFORMED, {"at": now(), "by": "民政厅张"}),
        (
            EventType.CALLBACK,
            {"at": now(), "channel": "phone", "satisfaction": "unsatisfied", "comment": "仍未办好"},
        ),
        (EventType.REDO, {"reason": "回访不满意"}),
    ]
    for step, values in script:
        click_step(qtbot, dialog, monkeypatch, step, values)
        if step is EventType.CALLBACK:  # a bad rating opens its rectification by itself
            assert steps(dialog)[-2:] == [step, EventType.RECTIFICATION_OPENED]
        else:
            assert steps(dialog)[-1] is step
    assert dialog.fact_labels["returns"].text() == "省公安厅 × 1"
    # After the redo: the whole cycle again, then close.
    for step, values in [
        (EventType.OPINION_GIVEN, {"kind": "resolved_on_spot", "text": "现场解决"}),
        (EventType.COMPLAINANT_INFORMED, {"channel": "sms", "at": now(), "by": "王"}),
        (EventType.WINDOW_INFORMED, {"at": now(), "by": "民政厅张"}),
        (EventType.CLOSED, {}),
    ]:
        click_step(qtbot, dialog, monkeypatch, step, values)
    assert dialog.status_label.text() == "已办结"
    assert not any(
        button.isEnabled()
        for step, button in dialog.action_buttons.items()
        if step is not EventType.NOTE
    )
    assert len(changes) == 15
    # registered + referred + 15 steps + the rectification the bad rating opened
    assert dialog.timeline.rowCount() == 18


def test_a_clerk_cannot_grant_an_extension(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    _ui, _clock, open_as = opened
    dialog = open_as(CLERK)
    button = dialog.action_buttons[EventType.EXTENSION_GRANTED]
    assert not button.isEnabled()
    assert button.toolTip() == "只有以下角色可以登记此步骤：值班长。"
    # Even when asked directly, the service refuses and the message says why.
    dialog.perform(
        EventType.EXTENSION_GRANTED, {"deadline": "2026-11-27T17:30:00+08:00", "reason": "需核查"}
    )
    assert "grant_extension" in dialog.message.text()
    assert EventType.EXTENSION_GRANTED not in steps(dialog)


def test_a_shift_lead_grants_an_extension(qtbot, opened, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _ui, _clock, open_as = opened
    dialog = open_as(SHIFT_LEAD)
    click_step(
        qtbot,
        dialog,
        monkeypatch,
        EventType.EXTENSION_GRANTED,
        {"deadline": "2026-11-27T17:30:00+08:00", "reason": "需跨部门核查"},
    )
    assert dialog.fact_labels["deadline"].text() == "2026-11-27 17:30"


def test_workflow_refusal_is_shown(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    _ui, clock, open_as = opened
    dialog = open_as(CLERK)
    assert not dialog.action_buttons[EventType.CALLBACK].isEnabled()
    dialog.perform(
        EventType.CALLBACK,
        {"at": clock().isoformat(), "channel": "phone", "satisfaction": "satisfied"},
    )
    assert "回访" in dialog.message.text()


def test_the_action_dialog_shows_field_messages(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    ui, clock, open_as = opened
    detail = open_as(CLERK)
    assert detail.view is not None
    form = ActionDialog(EventType.OPINION_GIVEN, detail.view.state, ui.desk.settings.units, clock)
    qtbot.addWidget(form)
    form.show()
    form.on_buttons_accepted()
    assert form.result() == 0 and form.errors["text"].text() == "请填写“办理意见”。"
    assert form.errors["kind"].isVisibleTo(form)
    form.inputs["kind"].setCurrentIndex(1)  # type: ignore[attr-defined]
    form.inputs["text"].setPlainText("已办理")  # type: ignore[attr-defined]
    form.on_buttons_accepted()
    assert form.values == {"kind": "resolved_on_spot", "text": "已办理"}


def test_unmasking_needs_role_and_reason_and_hides_again(qtbot, opened, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _ui, _clock, open_as = opened
    clerk_view = open_as(CLERK)
    assert clerk_view.pii_values[MaskedField.PHONE].text() == "138****5678"
    # A clerk must call the complainant back: the phone, yes; the name and ID number, no.
    assert clerk_view.reveal_buttons[MaskedField.PHONE].isEnabled()
    assert not clerk_view.reveal_buttons[MaskedField.ID_NUMBER].isEnabled()
    assert not clerk_view.reveal_buttons[MaskedField.NAME].isEnabled()
    monkeypatch.setattr(case_detail.RevealDialog, "ask", classmethod(lambda cls, *a: "回电告知"))
    qtbot.mouseClick(clerk_view.reveal_buttons[MaskedField.PHONE], Qt.MouseButton.LeftButton)
    assert clerk_view.pii_values[MaskedField.PHONE].text() == "138 1234 5678"  # never +86…
    dialog = open_as(SHIFT_LEAD)
    monkeypatch.setattr(case_detail.RevealDialog, "ask", classmethod(lambda cls, *a: None))
    qtbot.mouseClick(dialog.reveal_buttons[MaskedField.ID_NUMBER], Qt.MouseButton.LeftButton)
    assert dialog.pii_values[MaskedField.ID_NUMBER].text() == "110***********0017"  # cancelled
    monkeypatch.setattr(case_detail.RevealDialog, "ask", classmethod(lambda cls, *a: "核对身份"))
    qtbot.mouseClick(dialog.reveal_buttons[MaskedField.ID_NUMBER], Qt.MouseButton.LeftButton)
    assert dialog.pii_values[MaskedField.ID_NUMBER].text() == VALID_ID
    assert dialog.hide_timer.isActive()
    assert dialog.timeline.rowCount() == 4  # both viewings are on the timeline
    dialog.hide_timer.setInterval(10)
    dialog.hide_timer.start()
    qtbot.waitUntil(
        lambda: dialog.pii_values[MaskedField.ID_NUMBER].text() == "110***********0017",
        timeout=2000,
    )


def test_the_dialogs_defaults_are_accepted(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    """Defects 2 and 3: the prefilled "informed at" in the opinion's own minute, and the
    proposed extension (a working day's closing time, never a Saturday), both pass as they are."""
    ui, clock, open_as = opened
    detail = open_as(SHIFT_LEAD)
    clock.advance(seconds=40)
    click_step_values = {"kind": "handled", "text": "已办"}
    detail.handling.perform(detail.case_id, EventType.OPINION_GIVEN, CLERK, click_step_values)
    detail.load()
    assert detail.view is not None
    informed = ActionDialog(
        EventType.COMPLAINANT_INFORMED, detail.view.state, ui.desk.settings.units, clock
    )
    qtbot.addWidget(informed)
    informed.inputs["channel"].setCurrentIndex(1)  # type: ignore[attr-defined]
    informed.inputs["by"].setText("王")  # type: ignore[attr-defined]
    informed.on_buttons_accepted()
    assert informed.result() == 1, {k: v.text() for k, v in informed.errors.items()}

    working_time = ui.desk.deadlines.working_time
    extension = ActionDialog(
        EventType.EXTENSION_GRANTED,
        detail.view.state,
        ui.desk.settings.units,
        clock,
        working_time=working_time,
    )
    qtbot.addWidget(extension)
    box = extension.inputs["deadline"]
    assert box.currentText() == "2026-11-26 17:30 周四（增加工作时间 7小时00分）"  # type: ignore[attr-defined]
    assert all("周六" not in box.itemText(i) for i in range(box.count()))  # type: ignore[attr-defined]
    extension.inputs["reason"].setPlainText("需跨部门核查")  # type: ignore[attr-defined]
    extension.on_buttons_accepted()
    assert extension.result() == 1, {k: v.text() for k, v in extension.errors.items()}


def test_the_detail_shows_the_matter_and_an_enterprise_in_full(qtbot, data_dir: Path) -> None:
    """Defects 5 and 20: description, request, co-units, evidence, the enterprise's credit code
    (not "证件号码 —") and name in full, its contact person masked."""
    desk, _clock = desk_at(data_dir, START)
    base = registration(
        category="2",
        co_units=("省民政厅",),
        earlier_visits=(datetime(2026, 11, 10).date(), datetime(2026, 11, 17).date()),
        request="请尽快办结",
    )
    saved = desk.cases.register(
        replace(base, complainant=enterprise()),
        CLERK,
        categories=desk.settings.categories,
        units=desk.settings.units,
    )
    ui = DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=CLERK)
    dialog = CaseDetailDialog(ui, saved.case.id)
    qtbot.addWidget(dialog)
    dialog.show()
    shown = {
        form.itemAt(row, form.ItemRole.LabelRole).widget().text(): (
            form.itemAt(row, form.ItemRole.FieldRole).widget().text()
        )
        for form in (dialog.complainant_details, dialog.details)
        for row in range(form.rowCount())
    }
    assert shown["情况描述"] == "多次来办未办成" and shown["诉求"] == "请尽快办结"
    assert shown["协办单位"] == "省民政厅"
    assert shown["此前来办"] == "2026-11-10、2026-11-17"
    assert shown["联系人"] == "李*"
    assert "91340100MA2NXXXX0A" in shown.values()
    assert dialog.pii_values[MaskedField.NAME].text() == "合肥市某某科技有限公司"
    assert not dialog.pii_rows[MaskedField.ID_NUMBER][0].isVisibleTo(dialog)
    desk.close()


def test_the_detail_reprints_the_receipt_as_the_next_copy(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    """Defect 5: no 补打 in the detail."""
    ui, _clock, open_as = opened
    sent: list[tuple[str, int]] = []

    class FakePrinting:
        def print_receipt(self, settings, case, copy: int = 1) -> None:  # type: ignore[no-untyped-def]
            sent.append((case.number, copy))

    ui.printing = FakePrinting()
    dialog = open_as(CLERK)
    assert dialog.reprint_button.isEnabled()
    dialog.ui.desk.cases.record(dialog.case_id, EventType.RECEIPT_PRINTED, CLERK, {"copy": 1})
    qtbot.mouseClick(dialog.reprint_button, Qt.MouseButton.LeftButton)
    assert sent == [(dialog.view.number, 2)]
    assert "第 2 联" in dialog.notice.text()


def test_the_timeline_and_the_handover_name_people_not_keys(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    """Defect 11: ``clerk:wang`` in the timeline, the handover note and the ledger PDF."""
    from dnw_desk.domain.roles import Role
    from dnw_desk.services.accounts import AccountService, NewAccount
    from dnw_desk.services.review import review_for

    ui, _clock, open_as = opened
    accounts = AccountService(ui.desk.db, ui.desk.clock)
    accounts.create(NewAccount("admin", "0800", Role.ADMIN, "admin-pass-1"), by=None)
    admin = Actor("admin", "0800", Role.ADMIN)
    accounts.create(NewAccount("wang", "0815", Role.CLERK, "clerk-pass-1", "王芳"), by=admin)
    accounts.create(NewAccount("li", "0801", Role.SHIFT_LEAD, "lead-pass-1", "李明"), by=admin)
    dialog = open_as(CLERK)
    by = {dialog.timeline.index(r, 2).data() for r in range(dialog.timeline.rowCount())}
    assert by == {"窗口人员 王芳 · 工号 0815"}
    note = review_for(ui.desk).save_handover(SHIFT_LEAD, "交接：两件待回访", START.date())
    assert note.author == "值班长 李明 · 工号 0801"
    assert review_for(ui.desk).handover(START.date()).author == note.author


def test_a_message_does_not_move_the_buttons(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    """Defect 26: the action buttons jumped ~22 px when a message line appeared."""
    from dnw_desk.ui.widgets import show_error

    _ui, _clock, open_as = opened
    dialog = open_as(CLERK)
    dialog.resize(1000, 680)
    qtbot.wait(10)
    button = dialog.action_buttons[EventType.NOTE]
    before = button.mapTo(dialog, button.rect().topLeft())
    show_error(dialog.message, "不能保存：磁盘已满。")
    dialog._notice("已保存。")
    qtbot.wait(10)
    assert button.mapTo(dialog, button.rect().topLeft()) == before


def test_a_row_added_to_the_timeline_fits_its_wrapped_text(qtbot, opened, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _ui, _clock, open_as = opened
    dialog = open_as(SHIFT_LEAD)
    reason = "申请人来电询问办理进度，需要回电核对身份证号码与预留手机号是否一致" * 2
    monkeypatch.setattr(case_detail.RevealDialog, "ask", classmethod(lambda cls, *a: reason))
    qtbot.mouseClick(dialog.reveal_buttons[MaskedField.PHONE], Qt.MouseButton.LeftButton)
    view = dialog.timeline_view
    last = dialog.timeline.rowCount() - 1
    qtbot.waitUntil(lambda: view.rowHeight(last) == view.sizeHintForRow(last), timeout=2000)
    assert view.rowHeight(last) > view.rowHeight(0)  # it wraps, and shows every line


def test_an_escalated_case_saves_its_supervision_notice(
    qtbot, opened, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]

    ui, _clock, open_as = opened
    ui.local = replace(ui.local, export_dir=str(tmp_path))
    dialog = open_as(CLERK)
    assert not dialog.notice_button.isEnabled()  # not escalated yet
    click_step(qtbot, dialog, monkeypatch, EventType.ESCALATED, {"to": "效能办", "note": "催办"})
    assert dialog.notice_button.isEnabled()
    qtbot.mouseClick(dialog.notice_button, Qt.MouseButton.LeftButton)
    written = list(tmp_path.glob("督办单-*.pdf"))
    assert len(written) == 1 and written[0].stat().st_size > 0
    qtbot.waitUntil(lambda: str(written[0]) in dialog.notice.text(), timeout=2000)


def test_the_citizen_at_the_counter_is_asked_to_rate_an_answered_case(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    from tests.services.test_accountability import _fed_back

    ui, clock, open_as = opened
    asked: list[tuple[str, str]] = []
    ui.ask_rating = lambda case_id, number: asked.append((case_id, number))
    dialog = open_as(CLERK)
    assert dialog.rate_button.isVisible() and not dialog.rate_button.isEnabled()
    _fed_back(ui.desk, clock, dialog.case_id)
    dialog.close()
    dialog = open_as(CLERK)
    assert dialog.rate_button.isEnabled()
    qtbot.mouseClick(dialog.rate_button, Qt.MouseButton.LeftButton)
    assert asked == [(dialog.case_id, dialog.view.number)]


def test_a_spare_dialog_built_ahead_opens_the_next_case(qtbot: QtBot, harness: DeskHarness) -> None:
    first = register(harness.desk).case
    second = register(harness.desk).case
    features = harness.screens.queue
    features.prepare_spare()
    assert features.spare is None  # nobody logged in: nothing built ahead
    harness.login(qtbot, CLERK_LOGIN[0], CLERK_LOGIN[2])
    features.prepare_spare()
    spare = features.spare
    assert spare is not None and spare.view is None  # no case in it yet
    dialog = features.open_case(first.id)
    assert dialog is spare and features.spare is None
    qtbot.waitUntil(lambda: dialog.view is not None)
    assert dialog.number_label.text() == first.number
    assert features.spare_timer.isActive()  # the next one is built once the desk is idle
    dialog.reject()
    assert features.spare is dialog and features.details == []  # closed: kept, emptied
    other = features.open_case(second.id)
    qtbot.waitUntil(lambda: other.view is not None)
    assert other is dialog and other.number_label.text() == second.number
    third = features.open_case(first.id)  # a second case open at once: a dialog of its own
    qtbot.waitUntil(lambda: third.view is not None)
    assert third is not dialog and features.details == [dialog, third]
    assert third.number_label.text() == first.number
    third.reject()
    other.reject()
    assert features.spare is third  # one kept; the other goes


def _shown_text(dialog: CaseDetailDialog) -> str:
    """Every text the dialog shows: its labels, buttons' tooltips aside, the timeline, the
    attachments, its title."""
    from PySide6.QtWidgets import QLabel

    texts = [dialog.windowTitle()]
    texts += [widget.text() for widget in dialog.findChildren(QLabel)]
    model = dialog.timeline
    texts += [
        str(model.data(model.index(row, column)))
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    ]
    files = dialog.attachments.list
    texts += [files.item(row).text() for row in range(files.count())]
    return "\n".join(texts)


def test_a_reused_case_dialog_shows_nothing_of_the_last_case(
    qtbot: QtBot, harness: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog closed on case A and reopened on case B: B's facts, details, timeline and
    masking only; A's fully shown phone does not survive, nor its extra detail rows."""
    from tests.ui.conftest import LEAD

    a = register(
        harness.desk,
        name="欧阳甲",
        phone="13911112222",
        id_number=VALID_ID,
        description="甲的情况描述",
        request="甲的诉求",
        co_units=("省民政厅",),
    ).case
    b = _register_enterprise(harness.desk, SHIFT_LEAD)
    harness.login(qtbot, LEAD[0], LEAD[2])
    features = harness.screens.queue
    dialog = features.open_case(a.id)
    qtbot.waitUntil(lambda: dialog.view is not None)
    monkeypatch.setattr(case_detail.RevealDialog, "ask", classmethod(lambda cls, *a: "回电"))
    qtbot.mouseClick(dialog.reveal_buttons[MaskedField.PHONE], Qt.MouseButton.LeftButton)
    assert dialog.pii_values[MaskedField.PHONE].text() == "139 1111 2222"
    dialog.perform(EventType.NOTE, {"text": "甲的备注"})
    shown_a = _shown_text(dialog)
    for text in (a.number, "甲的情况描述", "甲的诉求", "省民政厅", "甲的备注", "欧**"):
        assert text in shown_a, text

    dialog.facts_scroll.verticalScrollBar().setValue(
        dialog.facts_scroll.verticalScrollBar().maximum()
    )
    dialog.reject()
    assert features.spare is dialog
    assert dialog.facts_scroll.verticalScrollBar().value() == 0  # opens at the top again
    assert dialog.view is None and not dialog.hide_timer.isActive()
    emptied = _shown_text(dialog)
    for text in (a.number, "甲", "139", "欧"):
        assert text not in emptied, text

    reused = features.open_case(b.id)
    assert reused is dialog
    qtbot.waitUntil(lambda: reused.view is not None)
    shown_b = _shown_text(reused)
    for text in (a.number, "甲", "139", "欧", "省民政厅"):
        assert text not in shown_b, text
    assert reused.number_label.text() == b.number and "乙的情况描述" in shown_b
    assert reused.pii_values[MaskedField.NAME].text() == "乙某科技有限公司"
    assert not reused.pii_rows[MaskedField.ID_NUMBER][0].isVisibleTo(reused)
    form = reused.details
    rows = [
        tuple(
            form.itemAt(row, role).widget().text()  # type: ignore[attr-defined]
            for role in (form.ItemRole.LabelRole, form.ItemRole.FieldRole)
        )
        for row in range(form.rowCount())
    ]
    assert rows == list(reused.view.details)  # B's rows, none left over from A
    assert reused.timeline.rows == list(reused.view.events) and reused.message.text() == ""
    assert not reused.notice.isVisible()
    reused.reject()


class DeferredTasks(ImmediateTaskRunner):
    """Holds each task's result until ``deliver_all`` (results arriving late, in any order)."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Any] = []

    def run(self, fn, on_done=None, on_error=None, *, lane="db"):  # type: ignore[no-untyped-def]
        from concurrent.futures import Future

        future: Future[Any] = Future()
        future.set_result(fn())
        self.pending.append((future, on_done, on_error))
        return future

    def deliver(self, future, on_done, on_error) -> None:  # type: ignore[no-untyped-def]
        super().deliver(future, on_done, on_error)

    def deliver_all(self) -> None:
        pending, self.pending = self.pending, []
        for task in pending:
            self.deliver(*task)


def test_a_late_result_for_the_last_case_is_dropped(qtbot: QtBot, data_dir: Path) -> None:
    """Case A's view (or an unmasked field) arriving after the dialog went on to case B is
    not shown in B's dialog."""
    desk, _clock = desk_at(data_dir, START)
    a = register(desk, name="欧阳甲", description="甲的情况描述").case
    b = register(desk, name="赵乙", description="乙的情况描述").case
    tasks = DeferredTasks()
    ui = DeskUi(desk, tasks, ChangeBus(), actor=SHIFT_LEAD)
    dialog = CaseDetailDialog(ui, None)
    qtbot.addWidget(dialog)
    dialog.show_case(a.id)
    dialog.show_case(b.id)
    tasks.pending.reverse()  # B's answer first, then A's
    tasks.deliver_all()
    assert dialog.view is not None and dialog.view.number == b.number
    assert "甲" not in _shown_text(dialog)
    dialog.ui.tasks.run(
        lambda: dialog.handling.reveal(b.id, MaskedField.NAME, "核对", SHIFT_LEAD),
        dialog._current(dialog._revealed),
    )
    dialog.clear()  # closed before the unmasked name came back
    tasks.deliver_all()
    assert "赵乙" not in _shown_text(dialog)
    desk.close()


def test_an_enterprise_s_credit_code_and_contact_stand_under_the_complainant(
    qtbot: QtBot, data_dir: Path
) -> None:
    """The credit code and the contact person describe who complains, not the matter: they
    were listed under 反映事项."""

    desk, _clock = desk_at(data_dir, START)
    case = _register_enterprise(desk, CLERK)
    ui = DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=CLERK)
    dialog = CaseDetailDialog(ui, case.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view is not None)

    def texts(form) -> list[str]:  # type: ignore[no-untyped-def]
        return [
            form.itemAt(row, role).widget().text()
            for row in range(form.rowCount())
            for role in (form.ItemRole.LabelRole, form.ItemRole.FieldRole)
        ]

    assert "91340100MA2NXXXX0A" in texts(dialog.complainant_details)
    assert "李*" in texts(dialog.complainant_details)
    matter = texts(dialog.details)
    assert "91340100MA2NXXXX0A" not in matter and "乙的情况描述" in matter
    dialog.reject()
    desk.close()


def test_the_supervision_notice_is_saved_when_documents_does_not_exist(
    qtbot, opened, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A fresh account has no ~/Documents: the 督办单 failed with "[Errno 2] No such file or
    directory: '…/Documents/.督办单-….partial'"."""
    from PySide6.QtCore import QStandardPaths

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(
        QStandardPaths, "writableLocation", staticmethod(lambda location: str(home / "Documents"))
    )
    _ui, _clock, open_as = opened
    dialog = open_as(CLERK)
    click_step(qtbot, dialog, monkeypatch, EventType.ESCALATED, {"to": "效能办", "note": "催办"})
    qtbot.mouseClick(dialog.notice_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "督办单-" in dialog.notice.text() or bool(dialog.message.text()), timeout=2000
    )
    assert dialog.message.text() == ""
    assert len(list(home.rglob("督办单-*.pdf"))) == 1


def test_the_status_beside_the_number_is_never_cut(qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    """At the large font the facts pane was narrower than the number and the status side by
    side, and its right edge cut: '已办结' showed as '已办纟'."""
    _ui, _clock, open_as = opened
    dialog = open_as(CLERK)
    qtbot.waitUntil(lambda: dialog.view is not None)
    dialog.perform(EventType.OPINION_GIVEN, {"kind": "handled", "text": "已办"})
    qtbot.waitUntil(lambda: dialog.status_label.text() == "已出具办理意见")
    dialog.resize(700, 600)
    qtbot.wait(20)
    status, viewport = dialog.status_label, dialog.facts_scroll.viewport()
    right = status.mapTo(viewport, status.rect().topRight()).x()
    assert right <= viewport.width()
