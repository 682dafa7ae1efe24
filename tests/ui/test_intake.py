"""The intake screen driven from the keyboard, as a clerk at the counter would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dnw_desk.domain.case import EventType
from dnw_desk.i18n import _
from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData
from dnw_desk.store import cases_repo
from dnw_desk.ui.confirm_dialog import ConfirmDialog
from dnw_desk.ui.not_accepted_dialog import NotAcceptedDialog, Refusal
from tests.factories import VALID_ID, register
from tests.ui.conftest import CLERK, DeskHarness, make_harness
from tests.ui.typing import type_and_enter, type_text

UNIT = "省公安厅"


def test_whole_registration_by_keyboard(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    page = clerk_desk.session.intake
    form = page.form
    assert clerk_desk.session.pages.currentWidget() is page
    form.kind.setFocus()
    qtbot.keyClick(form.kind, Qt.Key.Key_Return)  # person is the default; Enter moves on
    assert QApplication.focusWidget() is form.edits["name"]
    type_and_enter(qtbot, form.edits["name"], "张三")
    assert QApplication.focusWidget() is form.edits["id_number"]
    type_and_enter(qtbot, form.edits["id_number"], VALID_ID)
    assert "1990-03-07" in form.id_info.text()  # the ID fills in birth date and sex
    assert form.rows["id_number"].error.text() == ""
    assert QApplication.focusWidget() is form.edits["phone"]  # enterprise fields are skipped
    type_and_enter(qtbot, form.edits["phone"], "13812345678")
    assert "138" in form.phone_info.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # past the callback consent
    assert QApplication.focusWidget() is form.consent_sms
    qtbot.keyClick(form.consent_sms, Qt.Key.Key_Tab)  # and the text-message consent
    assert QApplication.focusWidget() is form.category
    qtbot.keyClicks(form.category, "3")
    assert form.category.currentData() == "3"
    qtbot.keyClick(form.category, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is form.edits["service_item"]
    type_and_enter(qtbot, form.edits["service_item"], "出入境证件办理")
    qtbot.keyClick(form.edits["service_code"], Qt.Key.Key_Return)
    type_text(qtbot, form.edits["lead_unit"], UNIT)
    form.unit_completer.popup().hide()
    qtbot.keyClick(form.edits["lead_unit"], Qt.Key.Key_Return)
    type_text(qtbot, form.long_edits["description"], "三次来办都说材料不全，每次要的材料不一样")
    qtbot.keyClick(form.long_edits["description"], Qt.Key.Key_Tab)
    type_text(qtbot, form.long_edits["request"], "一次性告知所需材料")

    qtbot.keyClick(form.long_edits["request"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert clerk_desk.count_cases() == 1
    with clerk_desk.desk.db.read() as conn:
        (case,) = cases_repo.list_cases(conn, limit=10)
        events = cases_repo.load_events(conn, case.id)
    assert case.complainant_name == "张三" and case.id_number == VALID_ID
    assert case.phone == "+8613812345678" and case.lead_unit == UNIT
    assert case.clerk_no == CLERK[1]
    assert [e.type for e in events][:2] == [EventType.REGISTERED, EventType.REFERRED]
    assert page.last_panel.number.text() == case.number
    printing = clerk_desk.ui.printing
    assert printing is not None
    qtbot.waitUntil(lambda: len(printing.printed) == 1 and not printing.open_jobs)
    (job,) = printing.printed
    assert isinstance(job.document, ReceiptData) and job.document.case_number == case.number
    with clerk_desk.desk.db.read() as conn:
        printed = [
            e for e in cases_repo.load_events(conn, case.id) if e.type is EventType.RECEIPT_PRINTED
        ]
    assert [e.data["copy"] for e in printed] == [1]
    assert page.last_panel.print_state.text() == _("Receipt printed.")
    output = bytes(printing.dummy.output)
    assert output.startswith(b"\x1b\x40") and len(output) > 1000  # ESC @, then the raster
    # The form is empty again for the next citizen, and no draft is left behind.
    assert form.is_empty()
    assert not (clerk_desk.desk.data_dir / "intake-draft.json").exists()


def test_f9_saves_too(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    form = clerk_desk.session.intake.form
    fill_minimal(qtbot, form)
    qtbot.keyClick(form.edits["service_item"], Qt.Key.Key_F9)
    assert clerk_desk.count_cases() == 1


def fill_minimal(qtbot: QtBot, form, phone: str = "13812345678") -> None:
    type_text(qtbot, form.edits["name"], "李四")
    qtbot.keyClicks(form.edits["phone"], phone)
    form.suggest_category("3")
    type_text(qtbot, form.edits["service_item"], "社保转移")
    form.edits["lead_unit"].setText(UNIT)


def test_bad_id_shows_its_message_and_saves_nothing(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    form = clerk_desk.session.intake.form
    fill_minimal(qtbot, form)
    bad = VALID_ID[:-1] + ("8" if VALID_ID[-1] != "8" else "9")
    qtbot.keyClicks(form.edits["id_number"], bad)
    message = form.rows["id_number"].error.text()
    assert "check character" in message or "校验" in message
    assert form.rows["id_number"].error.isVisible()
    qtbot.keyClick(form.edits["name"], Qt.Key.Key_F9)
    assert clerk_desk.count_cases() == 0
    assert "id_number" in form.errors_shown()
    assert clerk_desk.session.intake.form_error.isVisible()
    assert clerk_desk.ui.printing is not None and not clerk_desk.ui.printing.printed


def test_missing_fields_are_all_marked(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    form = clerk_desk.session.intake.form
    type_text(qtbot, form.edits["name"], "王五")
    qtbot.keyClick(form.edits["name"], Qt.Key.Key_F9)
    assert clerk_desk.count_cases() == 0
    assert {"phone", "category", "service_item", "lead_unit"} <= set(form.errors_shown())


def test_repeat_visitor_is_detected(qtbot: QtBot, clerk_desk: DeskHarness) -> None:
    earlier = register(clerk_desk.desk, phone="13912345678", id_number=VALID_ID).case
    clerk_desk.clock.advance(days=3)
    page = clerk_desk.session.intake
    qtbot.keyClicks(page.form.edits["id_number"], VALID_ID)
    qtbot.waitUntil(lambda: page.repeat_panel.isVisible(), timeout=3000)
    assert earlier.number in page.repeat_panel.cases.item(0).text()
    qtbot.mouseClick(page.repeat_panel.use_button, Qt.MouseButton.LeftButton)
    assert page.form.category.currentData() == "2"
    assert page.form.rows["earlier_visits"].container.isVisibleTo(page.form)
    # Defect 19: the earlier visit's date and the phone given then are filled in.
    assert page.form.text("earlier_visits") == f"{earlier.registered_at:%Y-%m-%d}"
    assert page.form.text("phone") == "139 1234 5678"


def test_repeat_visitor_by_phone_only_within_the_window(
    qtbot: QtBot, clerk_desk: DeskHarness
) -> None:
    register(clerk_desk.desk, phone="13912345678")
    clerk_desk.clock.advance(days=clerk_desk.desk.settings.repeat_visit_days + 1)
    page = clerk_desk.session.intake
    qtbot.keyClicks(page.form.edits["phone"], "139 1234 5678")
    qtbot.wait(LOOKUP_WAIT)
    assert not page.repeat_panel.isVisible()


LOOKUP_WAIT = 600


def test_not_accepted_prints_the_slip(
    qtbot: QtBot, clerk_desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = Refusal("x-petition", "信访事项", "请到信访部门反映")
    monkeypatch.setattr(NotAcceptedDialog, "ask", classmethod(lambda cls, *a, **k: refusal))
    page = clerk_desk.session.intake
    type_text(qtbot, page.form.edits["name"], "赵六")
    qtbot.keyClicks(page.form.edits["phone"], "13700000000")
    type_text(qtbot, page.form.edits["service_item"], "房屋拆迁补偿")
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    assert clerk_desk.count_cases() == 1
    with clerk_desk.desk.db.read() as conn:
        (case,) = cases_repo.list_cases(conn, limit=10)
        events = cases_repo.load_events(conn, case.id)
    assert case.status == "not_accepted"
    assert events[1].type is EventType.NOT_ACCEPTED and events[1].data["advice"] == refusal.advice
    printing = clerk_desk.ui.printing
    assert printing is not None
    qtbot.waitUntil(lambda: len(printing.printed) == 1)
    (job,) = printing.printed
    assert isinstance(job.document, NotAcceptedSlipData)
    assert job.document.reason == refusal.reason
    assert len(bytes(printing.dummy.output)) > 1000
    assert page.last_panel.number.text() == case.number


def test_refusal_after_a_refused_save_leaves_no_stale_message(
    qtbot: QtBot, clerk_desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first try with a field missing says "Not saved"; once the refusal is saved the form is
    empty and that message must not say the saved case still has marked fields."""
    refusal = Refusal("x-petition", "信访事项", "请到信访部门反映")
    monkeypatch.setattr(NotAcceptedDialog, "ask", classmethod(lambda cls, *a, **k: refusal))
    page = clerk_desk.session.intake
    type_text(qtbot, page.form.edits["name"], "赵六")
    type_text(qtbot, page.form.edits["service_item"], "房屋拆迁补偿")
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    assert clerk_desk.count_cases() == 0
    assert page.form_error.isVisible()
    qtbot.keyClicks(page.form.edits["phone"], "13700000000")
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    assert clerk_desk.count_cases() == 1
    assert not page.form_error.isVisible()


def test_escape_clears_after_confirming(
    qtbot: QtBot, clerk_desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([False, True])
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: next(answers)))
    form = clerk_desk.session.intake.form
    type_text(qtbot, form.edits["name"], "钱七")
    qtbot.keyClick(form.edits["name"], Qt.Key.Key_Escape)
    assert form.text("name") == "钱七"  # "keep editing"
    qtbot.keyClick(form.edits["name"], Qt.Key.Key_Escape)
    assert form.is_empty()


def test_printer_trouble_does_not_block_the_next_registration(
    qtbot: QtBot, clerk_desk: DeskHarness
) -> None:
    printing = clerk_desk.ui.printing
    assert printing is not None
    printing.configure("tcp://127.0.0.1:9", "80mm")  # nothing listens on the discard port
    form = clerk_desk.session.intake.form
    fill_minimal(qtbot, form)
    qtbot.keyClick(form.edits["name"], Qt.Key.Key_F9)
    assert clerk_desk.count_cases() == 1
    qtbot.waitUntil(lambda: len(printing.failed) == 1, timeout=10_000)
    status = clerk_desk.session.printer_status
    assert status is not None and status.retry_button.isVisibleTo(status)
    assert status.jobs_button.isVisibleTo(status)
    # The next citizen is registered while the first receipt waits.
    fill_minimal(qtbot, form, phone="13600000000")
    qtbot.keyClick(form.edits["name"], Qt.Key.Key_F9)
    assert clerk_desk.count_cases() == 2
    qtbot.waitUntil(lambda: len(printing.failed) == 2, timeout=10_000)
    printing.configure("dummy", "80mm")
    qtbot.mouseClick(status.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not printing.open_jobs and len(printing.printed) == 2)
    assert not status.retry_button.isVisibleTo(status)


def test_failed_receipt_survives_a_restart_and_retry_prints_it(
    qtbot: QtBot, data_dir: Path
) -> None:
    first = make_harness(qtbot, data_dir, printer_uri="tcp://127.0.0.1:9")  # nothing listens
    first.login(qtbot, CLERK[0], CLERK[2])
    form = first.session.intake.form
    fill_minimal(qtbot, form)
    qtbot.keyClick(form.edits["name"], Qt.Key.Key_F9)
    printing = first.ui.printing
    assert printing is not None
    qtbot.waitUntil(lambda: len(printing.failed) == 1, timeout=10_000)
    first.window.close()
    first.close()

    second = make_harness(qtbot, data_dir)  # the Dummy printer this time
    try:
        printing = second.ui.printing
        assert printing is not None
        status = second.session.printer_status
        assert status is not None
        # Listed on the login screen already, with the reason, waiting for a retry.
        qtbot.waitUntil(lambda: len(printing.failed) == 1)
        (job,) = printing.failed
        assert job.kind.value == "receipt" and job.last_error
        assert status.jobs_button.text() == _("Print queue ({count})").format(count=1)
        # ...but retried (a citizen's receipt) only once somebody is logged in.
        assert not status.retry_button.isVisibleTo(status)
        second.login(qtbot, CLERK[0], CLERK[2])
        assert status.retry_button.isVisibleTo(status)
        qtbot.mouseClick(status.retry_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(printing.printed) == 1 and not printing.open_jobs)
        assert len(bytes(printing.dummy.output)) > 1000
        assert not status.retry_button.isVisibleTo(status)
        with second.desk.db.read() as conn:
            (case,) = cases_repo.list_cases(conn, limit=10)
            events = cases_repo.load_events(conn, case.id)
        printed = [e for e in events if e.type is EventType.RECEIPT_PRINTED]
        assert [(e.data["copy"], e.actor) for e in printed] == [(1, f"clerk:{CLERK[0]}")]
    finally:
        second.close()
