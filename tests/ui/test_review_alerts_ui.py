"""The review page (role-gated, figures, handover, an export with progress) and the alert
banner + tray: one notification per crossing, also after a restart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.ui.alerts import AlertBanner, AlertCenter
from dnw_desk.ui.changes import ChangeBus
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.tasks import ImmediateTaskRunner
from tests.factories import SHIFT_LEAD, desk_at, register
from tests.ui.conftest import CLERK, LEAD, DeskHarness

START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


class TrayRecorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, message: str, icon: Any, msecs: int) -> None:
        self.messages.append((title, message))


def _export_ledger(qtbot: QtBot, page: Any, tmp_path: Path) -> Path:
    """The ledger saved as XLSX through the page's button, the save dialog answered."""
    out = tmp_path / "ledger.xlsx"
    page.ask_path = lambda *a: out
    exported: list[object] = []
    page.sig_exported.connect(exported.append)
    page.on_ledger_button_clicked()
    qtbot.waitUntil(lambda: exported == [out], timeout=5000)
    return out


def test_a_clerk_cannot_open_the_review(qtbot: QtBot, harness: DeskHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    harness.login(qtbot, CLERK[0], CLERK[2])
    features = harness.screens.queue
    assert not features.review_action.isEnabled()
    assert features.show_review() is False
    assert shown == ["只有值班长可以打开当日复盘。"]
    assert harness.session.pages.currentWidget() is not features.review_page
    features.review_page.load()
    assert features.review_page.message.text() == "只有值班长可以打开当日复盘。"


def test_the_shift_lead_reviews_writes_the_handover_and_exports(
    qtbot: QtBot, harness: DeskHarness, tmp_path: Path
) -> None:
    register(harness.desk)
    register(harness.desk, lead_unit="省民政厅")
    harness.login(qtbot, LEAD[0], LEAD[2])
    features = harness.screens.queue
    assert features.review_action.isEnabled()
    assert features.show_review() is True
    page = features.review_page
    qtbot.waitUntil(lambda: page.review is not None)
    assert page.tiles["registered"].value.text() == "2"
    assert page.tiles["pending"].value.text() == "2"
    assert set(page.unit_chart.categories) == {"省公安厅", "省民政厅"}
    page.note_edit.setPlainText("明早九点前催办省民政厅")
    page.on_note_save_clicked()
    assert "li" in page.note_info.text()
    out = _export_ledger(qtbot, page, tmp_path)
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 4
    assert contains_unmasked_pii(" ".join(str(c) for r in rows for c in r if c)) == []
    page.unmasked_check.setChecked(True)
    page.on_ledger_button_clicked()  # no reason: refused before any file dialog
    assert page.reason_error.text() == "导出未脱敏数据须填写理由。"


def test_a_crossing_notifies_once_with_banner_and_tray_also_after_restart(
    qtbot: QtBot, data_dir: Path
) -> None:
    desk, clock = desk_at(data_dir, START)
    register(desk)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)  # warning level

    def center(desk) -> tuple[AlertCenter, AlertBanner, TrayRecorder]:  # type: ignore[no-untyped-def]
        ui = DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=SHIFT_LEAD)
        banner = AlertBanner()
        qtbot.addWidget(banner)
        tray = TrayRecorder()
        return AlertCenter(ui, banner, tray), banner, tray

    alerts, banner, tray = center(desk)
    notified: list[object] = []
    alerts.sig_notified.connect(notified.append)
    alerts.refresh()
    alerts.refresh()
    assert len(notified) == 1 and len(tray.messages) == 1
    assert tray.messages[0][0] == "黄色预警"
    assert "AH08-20261124-0001" in tray.messages[0][1]
    assert banner.isVisibleTo(banner.parentWidget() or banner) or not banner.isHidden()
    banner.sig_snooze.emit()
    assert banner.isHidden()
    desk.close()
    # Restart: a new desk and alert center on the same data dir say nothing new.
    desk, _ignored = desk_at(data_dir, clock.now)
    alerts, banner, tray = center(desk)
    alerts.refresh()
    assert tray.messages == [] and banner.isHidden()
    desk.close()


def test_the_export_s_outcome_is_scrolled_into_view_at_1366x768(
    qtbot: QtBot, harness: DeskHarness, tmp_path: Path
) -> None:
    """The lead clicks an export at the bottom of the page: "已保存：…" was written below the
    fold (and an export's error at the top, above it), so nothing seemed to happen."""
    register(harness.desk)
    harness.login(qtbot, LEAD[0], LEAD[2])
    features = harness.screens.queue
    features.show_review()
    page = features.review_page
    qtbot.waitUntil(lambda: page.review is not None)
    _export_ledger(qtbot, page, tmp_path)
    qtbot.waitUntil(lambda: _in_view(page, page.export_status), timeout=2000)
    page._export_failed(page.runs[0] if page.runs else _run(page), OSError("磁盘已满"))
    qtbot.waitUntil(lambda: _in_view(page, page.message), timeout=2000)


def _in_view(page, widget) -> bool:  # type: ignore[no-untyped-def]
    """The widget lies wholly inside the page's scrolled viewport."""
    viewport = page.scroll_area.viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    bottom_right = widget.mapTo(viewport, widget.rect().bottomRight())
    return bool(viewport.rect().contains(top_left) and viewport.rect().contains(bottom_right))


def _run(page):  # type: ignore[no-untyped-def]
    from dnw_desk.ui.review.exports import ExportRun

    run = ExportRun(page.export_tasks, "x", page)
    page.runs.append(run)
    return run


def test_the_save_dialog_opens_in_documents_then_in_the_last_folder(
    qtbot: QtBot, harness: DeskHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 23: the save dialog opened in the program's working directory and forgot."""
    from dnw_desk.ui.review import page as review_page

    harness.login(qtbot, LEAD[0], LEAD[2])
    features = harness.screens.queue
    features.show_review()
    page = features.review_page
    offered: list[str] = []
    chosen = tmp_path / "exports" / "台账.xlsx"
    chosen.parent.mkdir()

    def fake_dialog(parent, title, start, filters):  # type: ignore[no-untyped-def]
        offered.append(start)
        return str(chosen)

    monkeypatch.setattr(review_page, "save_file_name", fake_dialog)
    assert page.ask_path("导出", "台账.xlsx", "*.xlsx") == chosen
    assert not offered[0].startswith(str(Path.cwd()) + "/台账")
    page.ask_path("导出", "日报.pdf", "*.pdf")
    assert offered[1] == str(chosen.parent / "日报.pdf")
    assert harness.ui.local.export_dir == str(chosen.parent)


def test_an_unmasked_export_without_reason_marks_the_reason_field(
    qtbot: QtBot, harness: DeskHarness
) -> None:
    """Defect 22: the message showed atop the page while the reason field was not marked."""
    from dnw_desk.ui.widgets import INVALID_PROPERTY

    harness.login(qtbot, LEAD[0], LEAD[2])
    features = harness.screens.queue
    features.show_review()
    page = features.review_page
    page.unmasked_check.setChecked(True)
    assert page._export_options() is None
    assert page.reason_edit.property(INVALID_PROPERTY)
    assert page.reason_error.isVisibleTo(page) and "理由" in page.reason_error.text()
    assert page.reason_edit.hasFocus() or page.reason_edit.isEnabled()
    qtbot.keyClicks(page.reason_edit, "ID check")
    assert not page.reason_edit.property(INVALID_PROPERTY)
    assert page._export_options() == (False, "ID check")


def test_the_review_shows_at_once_with_its_last_figures_and_drops_an_outdated_load(
    qtbot: QtBot, harness: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(harness.desk)
    register(harness.desk)
    harness.login(qtbot, LEAD[0], LEAD[2])
    features = harness.screens.queue
    page = features.review_page
    assert features.show_review() is True
    qtbot.waitUntil(lambda: page.review is not None)
    assert page.tiles["registered"].value.text() == "2"
    assert not page.loading.isVisibleTo(page)
    held: list[tuple[Any, Any]] = []

    def hold(fn: Any, on_done: Any = None, on_error: Any = None, *, lane: str = "db") -> Any:
        held.append((fn, on_done))

    monkeypatch.setattr(harness.ui.tasks, "run", hold)
    register(harness.desk)  # a third case, registered at another window (no change published)
    features.show_queue()
    features.show_review()
    # The switch is done before the figures are read: the last ones show, marked as updating.
    assert harness.session.pages.currentWidget() is page
    assert page.tiles["registered"].value.text() == "2"
    assert page.loading.isVisibleTo(page)
    asked = len(held)  # the figures are read once the page is painted
    qtbot.waitUntil(lambda: len(held) == asked + 1)
    page.load()  # the user asked again before the first load came back
    loaded: list[object] = []
    page.sig_loaded.connect(loaded.append)
    reviews = [(fn(), on_done) for fn, on_done in held[-2:]]
    newest, on_newest = reviews[1]
    on_newest(newest)
    assert page.tiles["registered"].value.text() == "3"
    assert not page.loading.isVisibleTo(page)
    oldest, on_oldest = reviews[0]
    on_oldest(oldest)  # outdated: dropped
    assert loaded == [newest]


def test_the_alert_tick_runs_beside_the_writer_and_a_snooze_on_it(
    qtbot: QtBot, data_dir: Path
) -> None:
    """The tick reads every case it looks at and does the ladder's arithmetic: on the DB lane,
    a clerk's step saved meanwhile would wait for all of it. On a lane of its own the step
    waits at most for one of the tick's short write transactions (the writer's lock)."""
    desk, clock = desk_at(data_dir, START)
    register(desk)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)
    runner = ImmediateTaskRunner()
    lanes: list[str] = []
    run = runner.run

    def recording(fn: Any, on_done: Any = None, on_error: Any = None, *, lane: str = "db") -> Any:
        lanes.append(lane)
        return run(fn, on_done, on_error, lane=lane)

    runner.run = recording  # type: ignore[method-assign]
    ui = DeskUi(desk, runner, ChangeBus(), actor=SHIFT_LEAD)
    banner = AlertBanner()
    qtbot.addWidget(banner)
    alerts = AlertCenter(ui, banner, TrayRecorder())
    alerts.refresh()
    assert lanes == ["alerts"] and banner.wanted
    banner.sig_snooze.emit()
    assert lanes == ["alerts", "db"]  # a write of the clerk's: in order with the others


def test_a_review_page_deleted_before_its_fresh_figures_are_asked_for_asks_nothing(
    qtbot: QtBot, harness: DeskHarness
) -> None:
    """Shown, the page asks for fresh figures from a zero timer; a page deleted before that
    timer runs (its window closed at the end of a shift, or of a test) must not be called:
    CI once met the call on a page whose labels were gone."""
    from PySide6.QtCore import QCoreApplication, QEvent

    register(harness.desk)
    harness.login(qtbot, LEAD[0], LEAD[2])
    features = harness.screens.queue
    page = features.review_page
    assert features.show_review() is True  # the zero timer is pending now
    page.deleteLater()
    QCoreApplication.sendPostedEvents(page, QEvent.Type.DeferredDelete)  # gone before it runs
    qtbot.wait(50)  # the timer's turn: an exception here fails the test
