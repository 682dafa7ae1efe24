"""Bad days at start-up and while running: a damaged database, the daily backup."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dnw_desk.app import DeskStart, start_window
from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.local_settings import LocalSettings
from dnw_desk.store.database import DB_FILENAME
from dnw_desk.store.schema import DAMAGED_DIR, backup_database, latest_backup
from dnw_desk.store.tables import cases
from dnw_desk.ui.daily_backup import DailyBackup
from dnw_desk.ui.damaged_dialog import DamagedDatabaseDialog
from tests.factories import register
from tests.ui.conftest import DeskHarness, configured_desk

GARBAGE = b"this is not a database" * 200


class _App:
    """Stands in for the QApplication's exit/quit, so a test sees the exit code."""

    def __init__(self) -> None:
        self.codes: list[int] = []

    def exit(self, code: int) -> None:
        self.codes.append(code)

    def quit(self) -> None:
        self.codes.append(0)


def _damage(data_dir: Path) -> None:
    for suffix in ("-wal", "-shm"):
        (data_dir / (DB_FILENAME + suffix)).unlink(missing_ok=True)
    (data_dir / DB_FILENAME).write_bytes(GARBAGE)


def _starter(qtbot: QtBot, data_dir: Path) -> tuple[DeskStart, _App]:
    window = start_window(LocalSettings())
    qtbot.addWidget(window)
    window.show()
    app = _App()
    return DeskStart(app, window, data_dir, LocalSettings()), app  # type: ignore[arg-type]


def test_a_damaged_database_is_restored_from_the_newest_backup(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Registered now: the restored desk runs on the real clock, and an older case would raise
    # alerts whose delivery could outlive the test's task runner.
    desk = configured_desk(data_dir, FakeClock(datetime.now(HALL_TZ)))
    kept = register(desk).case.number
    desk.close()
    backup = backup_database(data_dir / DB_FILENAME, "daily")
    _damage(data_dir)
    asked: list[tuple[str, Path | None]] = []
    monkeypatch.setattr(
        DamagedDatabaseDialog,
        "ask",
        classmethod(lambda cls, parent, message, offered: asked.append((message, offered)) or True),
    )
    start, app = _starter(qtbot, data_dir)
    start.start()
    try:
        qtbot.waitUntil(lambda: start.screens is not None, timeout=20_000)
        assert app.codes == []
        ((message, offered),) = asked
        assert offered == backup and backup.name in message
        (aside,) = (data_dir / DAMAGED_DIR).glob("*.sqlite3")
        assert aside.read_bytes() == GARBAGE  # kept aside, not deleted
        assert start.ui is not None
        with start.ui.desk.db.read() as conn:
            assert conn.execute(select(cases.c.number)).scalars().all() == [kept]
        assert start.screens.session.login_page.login_button.isEnabled()
    finally:
        start.shut_down()


def test_a_damaged_database_without_backup_is_told_and_quits_non_zero(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _damage(data_dir)
    asked: list[tuple[str, Path | None]] = []
    monkeypatch.setattr(
        DamagedDatabaseDialog,
        "ask",
        classmethod(
            lambda cls, parent, message, offered: asked.append((message, offered)) and False
        ),
    )
    start, app = _starter(qtbot, data_dir)
    start.start()
    try:
        qtbot.waitUntil(lambda: app.codes != [], timeout=20_000)
        assert app.codes == [2] and start.screens is None
        ((message, offered),) = asked
        assert offered is None
        assert "no backup" in message or "没有可恢复的备份" in message
        assert (data_dir / DB_FILENAME).read_bytes() == GARBAGE  # untouched
    finally:
        start.shut_down()


def test_the_damaged_dialog_offers_restore_only_with_a_backup(qtbot: QtBot, tmp_path: Path) -> None:
    with_backup = DamagedDatabaseDialog("坏了", tmp_path / "dnw-desk-1.sqlite3")
    without = DamagedDatabaseDialog("坏了", None)
    for dialog in (with_backup, without):
        qtbot.addWidget(dialog)
    assert not with_backup.restore_button.isHidden()
    assert without.restore_button.isHidden() and not without.quit_button.isHidden()
    without.quit_button.click()
    assert without.result() == 0


def test_the_daily_backup_runs_once_a_day_and_a_failure_only_shows(
    qtbot: QtBot, harness: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = DailyBackup(harness.ui, harness.window.statusBar(), harness.window)
    with qtbot.waitSignal(backup.sig_done) as done:
        backup.start()
    written = done.args[0] if done.args else None
    assert written is not None and latest_backup(harness.desk.data_dir) == written
    assert backup.timer.isActive() and backup.timer.interval() == 60 * 60 * 1000
    assert written.name in harness.window.statusBar().currentMessage()
    # The file's age is measured against the desk's clock (a fake one here).
    os.utime(written, (harness.clock().timestamp(), harness.clock().timestamp()))
    with qtbot.waitSignal(backup.sig_done) as again:
        backup.on_timer_timeout()
    assert again.args == [None]

    def full(_path: Path, _now: datetime) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("dnw_desk.store.schema.backup_if_due", full)
    with qtbot.waitSignal(backup.sig_failed):
        backup.check()
    assert "No space left on device" in harness.window.statusBar().currentMessage()
    assert not backup.running and backup.timer.isActive()
    backup.stop()
    assert QApplication.activeModalWidget() is None  # nothing blocked the counter


def test_the_daily_backup_copies_beside_the_writer_and_purges_on_it(
    qtbot: QtBot, harness: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy of a large database takes seconds: it must not hold the DB lane, where a
    clerk's step would wait behind it; the purge (a write) stays there."""
    lanes: list[str] = []
    run = harness.ui.tasks.run

    def recording(fn: Any, on_done: Any = None, on_error: Any = None, *, lane: str = "db") -> Any:
        lanes.append(lane)
        return run(fn, on_done, on_error, lane=lane)

    monkeypatch.setattr(harness.ui.tasks, "run", recording)
    purged: list[int] = []
    monkeypatch.setattr(
        "dnw_desk.services.retention.purge_personal_data", lambda *a: purged.append(1)
    )
    backup = DailyBackup(harness.ui, harness.window.statusBar(), harness.window)
    with qtbot.waitSignal(backup.sig_done) as done:
        backup.check()
    assert done.args[0] is not None and purged == [1]
    assert lanes == ["copy", "db"]
