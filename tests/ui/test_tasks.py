"""The task runner: a failure nobody handles is shown, a result's changes are published by the
runner itself (pytest-qt, the real threaded runner where it matters)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ
from dnw_desk.services.changes import Changes
from dnw_desk.ui.alerts import AlertBanner, AlertCenter
from dnw_desk.ui.changes import ChangeBus
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.tasks import ImmediateTaskRunner, TaskRunner
from tests.factories import SHIFT_LEAD, desk_at, register


@dataclass(frozen=True)
class Saved:
    changes: Changes


def failure_boxes() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "taskFailure" and w.isVisible()
    ]


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    tasks.bus = ChangeBus()
    yield tasks
    tasks.shutdown()
    for box in failure_boxes():
        box.close()


def boom() -> None:
    raise OSError("the disk is gone")


def test_an_unhandled_failure_is_shown_to_the_user(qtbot: QtBot, runner: TaskRunner) -> None:
    runner.run(boom)
    qtbot.waitUntil(lambda: len(failure_boxes()) == 1)
    assert "the disk is gone" in failure_boxes()[0].text()


def test_a_repeating_failure_shows_one_dialog(qtbot: QtBot, runner: TaskRunner) -> None:
    done: list[int] = []
    for _i in range(3):
        runner.run(boom)
    runner.run(lambda: 1, done.append)
    qtbot.waitUntil(lambda: done == [1])
    assert len(failure_boxes()) == 1


def test_a_handled_failure_goes_to_its_handler_only(qtbot: QtBot, runner: TaskRunner) -> None:
    errors: list[BaseException] = []
    runner.run(boom, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert isinstance(errors[0], OSError) and failure_boxes() == []


def test_the_runner_publishes_a_results_changes(qtbot: QtBot, runner: TaskRunner) -> None:
    assert runner.bus is not None
    published: list[Changes] = []
    runner.bus.sig_changed.connect(published.append)
    order: list[str] = []
    runner.bus.sig_changed.connect(lambda _c: order.append("published"))
    saved = Saved(Changes(case_ids=frozenset({"a"})))
    runner.run(lambda: saved, lambda _r: order.append("done"))
    runner.run(lambda: Changes(settings=True))
    runner.run(lambda: Changes())  # nothing changed: nothing published
    runner.run(lambda: 42)
    qtbot.waitUntil(lambda: len(published) == 2)
    assert published == [saved.changes, Changes(settings=True)]
    assert order[:2] == ["done", "published"]  # the caller's callback first


def test_a_failed_snooze_brings_the_alert_back_and_says_so(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The banner is gone when the write starts: a failed write left the alert silently lost."""
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    register(desk)
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)  # warning level
    tasks = ImmediateTaskRunner()
    reported: list[BaseException] = []
    tasks.report = reported.append
    ui = DeskUi(desk, tasks, ChangeBus(), actor=SHIFT_LEAD)
    banner = AlertBanner()
    qtbot.addWidget(banner)
    alerts = AlertCenter(ui, banner, None)
    alerts.refresh()
    assert not banner.isHidden()
    monkeypatch.setattr(alerts.service, "snooze", lambda *_a, **_k: boom())
    banner.sig_snooze.emit()
    assert not banner.isHidden() and alerts.shown
    assert [str(e) for e in reported] == ["the disk is gone"]
    monkeypatch.setattr(alerts.service, "acknowledge", lambda *_a, **_k: boom())
    banner.sig_dismiss.emit()
    assert not banner.isHidden() and len(reported) == 2
    monkeypatch.undo()
    banner.sig_dismiss.emit()  # saved this time: gone for good
    assert banner.isHidden() and len(reported) == 2
    desk.close()


def test_a_task_asked_for_after_shutdown_is_dropped_not_raised(runner: TaskRunner) -> None:
    """A timer (the alert refresh) can fire while the window closes or the desk restarts after
    a restore: the late task is dropped, and nothing raises in the Qt event loop."""
    runner.shutdown()
    ran: list[int] = []
    future = runner.run(lambda: ran.append(1))
    assert future.cancelled() and ran == []
