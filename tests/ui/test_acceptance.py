"""A clerk's whole case and a shift lead's review, on the real main window, by keyboard only.

Keys go to whatever has the focus, as at the counter: Tab and Shift+Tab move, Space presses a
button, Ctrl+Return saves a dialog, F-keys are the window's shortcuts. Chinese arrives as an input
method commits it. Each handling dialog is modal, so it is filled from inside its own event loop
(a zero-timer started just before the key that opens it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from dnw_desk.domain.case import EventType, Status
from dnw_desk.store import cases_repo
from dnw_desk.ui.action_dialog import ActionDialog
from dnw_desk.ui.case_detail import CaseDetailDialog
from tests.ui.conftest import CLERK, LEAD, DeskHarness, make_harness
from tests.ui.typing import type_text

MAX_TABS = 80  # a screen has fewer focusable widgets than this


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(
    qtbot: QtBot, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(focused(), which, modifier)


def tab_to(qtbot: QtBot, target: QWidget) -> None:
    """Tab until ``target`` has the focus (as a clerk would), bounded."""
    seen = []
    for _step in range(MAX_TABS):
        if focused() is target or focused().focusProxy() is target:
            return
        seen.append(focused().objectName() or type(focused()).__name__)
        key(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName() or target}: {seen}")


def log_in(qtbot: QtBot, harness: DeskHarness, login: str, password: str) -> None:
    page = harness.session.login_page
    harness.window.activateWindow()  # what the window manager does when a dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is harness.window)
    qtbot.waitUntil(lambda: page.login_edit.isEnabled())
    page.login_edit.setFocus()
    page.login_edit.selectAll()
    qtbot.keyClicks(page.login_edit, login)
    key(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), password)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: harness.ui.actor is not None and harness.ui.actor.login == login)


def in_dialog(qtbot: QtBot, fill: Callable[[ActionDialog], None]) -> list[str]:
    """Arrange for the next modal handling dialog to be filled by keyboard and accepted with
    Ctrl+Return; returns the errors it showed (empty when it was accepted)."""
    shown: list[str] = []
    tries = [0]

    def run() -> None:
        dialogs = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, ActionDialog) and w.isVisible()
        ]
        if not dialogs:
            tries[0] += 1
            if tries[0] < 250:  # up to ~5 s
                QTimer.singleShot(20, run)
            return
        dialog = dialogs[-1]
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        fill(dialog)
        key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # save
        if dialog.isVisible():  # refused: say why, then leave
            shown.extend(label.text() for label in dialog.errors.values() if label.text())
            dialog.reject()

    QTimer.singleShot(0, run)
    return shown


def press_step(
    qtbot: QtBot, detail: CaseDetailDialog, step: EventType, fill: Callable[[ActionDialog], None]
) -> None:
    button: QPushButton = detail.action_buttons[step]
    assert button.isEnabled(), (step, button.toolTip())
    qtbot.waitUntil(lambda: QApplication.activeWindow() is detail)  # back from the last dialog
    errors = in_dialog(qtbot, fill)
    tab_to(qtbot, button)
    key(qtbot, Qt.Key.Key_Space)
    assert not errors, (step, errors)
    assert detail.message.text() == "", (step, detail.message.text())
    qtbot.waitUntil(lambda: detail.view is not None and detail.view.events[-1].type is step)


def choose_first(qtbot: QtBot, dialog: ActionDialog, name: str) -> None:
    """Tab to a choice and pick its first real entry with the arrow key."""
    tab_to(qtbot, dialog.inputs[name])
    key(qtbot, Qt.Key.Key_Down)


def write(qtbot: QtBot, dialog: ActionDialog, name: str, text: str) -> None:
    tab_to(qtbot, dialog.inputs[name])
    type_text(qtbot, focused(), text)


def test_a_clerk_s_whole_case_and_the_shift_lead_s_review_by_keyboard(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    harness = make_harness(qtbot, data_dir)
    try:
        _clerk_registers_and_handles(qtbot, harness)
        _shift_lead_reviews_and_exports(qtbot, harness, tmp_path)
    finally:
        harness.close()


def _clerk_registers_and_handles(qtbot: QtBot, harness: DeskHarness) -> None:
    session = harness.session
    log_in(qtbot, harness, CLERK[0], CLERK[2])
    form = session.intake.form

    # Register: typing starts in the name; the rest by Tab; F9 saves and prints.
    key(qtbot, Qt.Key.Key_F2)
    assert focused() is form.edits["name"]
    type_text(qtbot, focused(), "王小明")
    tab_to(qtbot, form.edits["phone"])
    qtbot.keyClicks(focused(), "13812345678")
    tab_to(qtbot, form.category)
    for _press in range(3):
        key(qtbot, Qt.Key.Key_Down)
    assert form.category.currentData() == "3"
    tab_to(qtbot, form.edits["service_item"])
    type_text(qtbot, focused(), "出入境证件办理")
    tab_to(qtbot, form.edits["lead_unit"])
    type_text(qtbot, focused(), "省公安厅")
    tab_to(qtbot, form.long_edits["description"])
    type_text(qtbot, focused(), "第二次来办仍未办成")
    key(qtbot, Qt.Key.Key_F9)
    assert harness.count_cases() == 1, form.errors_shown()
    intake = session.intake
    assert intake.last_case is not None
    number = intake.last_case.number
    assert intake.last_panel.number.text() == number
    printing = harness.ui.printing
    assert printing is not None
    qtbot.waitUntil(lambda: len(printing.printed) == 1, timeout=10_000)  # the receipt

    # The queue (F6), the case in it, opened with Return.
    key(qtbot, Qt.Key.Key_F6)
    features = harness.screens.queue
    page = features.queue_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    tab_to(qtbot, page.table)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(features.details))
    detail: CaseDetailDialog = features.details[-1]
    qtbot.waitUntil(lambda: detail.view is not None)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is detail)
    assert detail.number_label.text() == number
    assert detail.status_label.text() == "已转办"

    press_step(qtbot, detail, EventType.UNIT_ACCEPTED, lambda d: write(qtbot, d, "by", "李科长"))

    def opinion(dialog: ActionDialog) -> None:
        choose_first(qtbot, dialog, "kind")
        write(qtbot, dialog, "text", "已为其加急办理护照")

    press_step(qtbot, detail, EventType.OPINION_GIVEN, opinion)

    def informed(dialog: ActionDialog) -> None:
        choose_first(qtbot, dialog, "channel")
        write(qtbot, dialog, "by", "张三")  # "informed at": the default, the opinion's minute

    press_step(qtbot, detail, EventType.COMPLAINANT_INFORMED, informed)
    press_step(
        qtbot, detail, EventType.WINDOW_INFORMED, lambda d: write(qtbot, d, "by", "公安厅联络员")
    )

    def callback(dialog: ActionDialog) -> None:
        choose_first(qtbot, dialog, "channel")
        choose_first(qtbot, dialog, "satisfaction")

    press_step(qtbot, detail, EventType.CALLBACK, callback)
    press_step(qtbot, detail, EventType.CLOSED, lambda d: None)
    assert detail.status_label.text() == "已办结"
    by = {detail.timeline.index(r, 2).data() for r in range(detail.timeline.rowCount())}
    assert all(":" not in who for who in by), by  # people, never clerk:wang
    qtbot.waitUntil(lambda: QApplication.activeWindow() is detail)
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not detail.isVisible())
    with harness.desk.db.read() as conn:
        row = cases_repo.get_case_by_number(conn, number)
    assert row is not None and row.status == Status.CLOSED and row.on_time is True


def _shift_lead_reviews_and_exports(qtbot: QtBot, harness: DeskHarness, tmp_path: Path) -> None:
    session = harness.session
    session.logout_action.trigger()  # 交班退出 (its menu entry)
    log_in(qtbot, harness, LEAD[0], LEAD[2])
    assert session.intake.last_case is None  # nothing of the clerk's case carries over
    key(qtbot, Qt.Key.Key_F7)
    page = harness.screens.queue.review_page
    qtbot.waitUntil(lambda: page.review is not None)
    assert page.tiles["registered"].value.text() == "1"
    assert page.tiles["pending"].value.text() == "0"
    tab_to(qtbot, page.note_edit)
    type_text(qtbot, focused(), "今日一件已办结")
    tab_to(qtbot, page.note_save)
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "李" in page.note_info.text() or "li" in page.note_info.text())
    out = tmp_path / "台账.xlsx"
    page.ask_path = lambda *_args: out  # type: ignore[method-assign]  # the OS save dialog
    exported: list[object] = []
    page.sig_exported.connect(exported.append)
    tab_to(qtbot, page.ledger_button)
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: exported == [out], timeout=10_000)
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    cells = [str(c) for row in rows for c in row if c is not None]
    assert "王**" in cells and "推诿扯皮、办事拖拉" in cells
    assert "13812345678" not in " ".join(cells)
