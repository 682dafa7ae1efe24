"""Sync beside the desk: the worker against a real dnw-server, the status bar, the bus."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from dnw_desk.domain.case import Status
from dnw_desk.server import credentials
from dnw_desk.services.changes import Changes
from dnw_desk.store import cases_repo
from dnw_desk.sync.client import SyncStatus
from dnw_desk.sync.credentials import CredentialStore
from dnw_desk.sync.enrolment import enrol
from dnw_desk.ui.desk_sync import DeskSync
from dnw_desk.ui.sync_status import SyncStatusWidget, SyncView
from tests.factories import register
from tests.server.conftest import fresh_database
from tests.sync.conftest import LiveServer, Tokens
from tests.sync.helpers import server_view
from tests.sync.test_sync import _post_feedback
from tests.ui.conftest import CLERK, DeskHarness, make_harness


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    db = fresh_database("sqlite", tmp_path)
    live = LiveServer(db)
    live.start()
    yield live
    live.stop()
    db.dispose()


def _sync(harness: DeskHarness) -> DeskSync:
    return harness.screens.sync


def test_not_enrolled_the_status_bar_says_so_and_no_worker_runs(
    qtbot: QtBot, english: None, clerk_desk: DeskHarness
) -> None:
    sync = _sync(clerk_desk)
    assert sync.widget.label.text() == "Sync: checking…"
    sync.start()
    assert sync.worker is None
    assert sync.widget.label.text() == "Not connected to a server"
    assert "dnw-desk enrol" in sync.widget.label.toolTip()
    assert not sync.widget.sync_button.isVisibleTo(clerk_desk.window)
    clerk_desk.ui.bus.publish(Changes(case_ids=frozenset({"x"})))  # nothing to wake
    sync.shutdown()


def test_the_worker_pushes_after_a_save_and_pulled_feedback_reaches_the_screens(
    qtbot: QtBot, data_dir: Path, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DNW_CREDENTIAL_STORE", "file")
    harness = make_harness(qtbot, data_dir)
    sync = _sync(harness)
    try:
        with server.db.write() as conn:
            terminal, token = credentials.add_terminal(conn, "AH", "08", datetime.now(UTC))
            _unit, unit_token = credentials.add_unit(
                conn, "省公安厅", datetime.now(UTC), halls=["AH"]
            )
        tokens = Tokens(token, terminal.id, unit_token)
        store = CredentialStore(data_dir, use_keyring=False)
        enrol(harness.desk.db, data_dir, server.url, token, hall="AH", window="08", store=store)
        harness.login(qtbot, CLERK[0], CLERK[2])
        sync.interval = 3600.0  # only the first round and the ones woken by the desk
        sync.start()
        assert sync.worker is not None and sync.enrolled
        qtbot.waitUntil(
            lambda: sync.widget.view is not None and sync.widget.view.status.state == "synced",
            timeout=20_000,
        )
        assert sync.widget.label.text() == "已同步"
        assert server.url in sync.widget.label.toolTip()

        # A registration (published on the bus as every use case does) wakes the worker.
        saved = register(harness.desk)
        harness.ui.bus.publish(saved.changes)
        qtbot.waitUntil(lambda: saved.case.id in server_view(server.db)["cases"], timeout=20_000)

        # A unit's opinion on the server comes back and is published for the queue and intake.
        _post_feedback(server, tokens, saved.case.number)
        with qtbot.waitSignal(
            harness.ui.bus.sig_changed,
            timeout=20_000,
            check_params_cb=lambda changes: saved.case.id in changes.case_ids,
        ):
            sync.on_sync_now_requested()
        with harness.desk.db.read() as conn:
            row = cases_repo.get_case_by_number(conn, saved.case.number)
        assert row is not None and row.status == Status.OPINION_GIVEN
        qtbot.waitUntil(lambda: sync.widget.label.text() == "已同步", timeout=20_000)
    finally:
        sync.shutdown()
        harness.close()
    assert sync.worker is None


def test_the_status_line_tooltip_and_conflicts_button(qtbot: QtBot, english: None) -> None:
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    widget.show()
    since = datetime(2026, 11, 24, 9, 5)
    offline = SyncStatus("offline", pending=3, conflicts=2, offline_since=since)
    widget.show_view(SyncView(offline, "https://dnw.example.cn", since))
    assert widget.label.text() == "Offline since 11-24 09:05 · 3 pending · Conflicts: 2"
    tooltip = widget.label.toolTip()
    assert "https://dnw.example.cn" in tooltip and "2026-11-24 09:05" in tooltip
    assert "Operations waiting to be sent: 3" in tooltip
    assert widget.conflicts_button.isHidden()  # a clerk does not settle conflicts
    widget.set_can_settle(True)
    assert not widget.conflicts_button.isHidden()
    assert widget.conflicts_button.text() == "Conflicts (2)…"
    widget.show_view(SyncView(SyncStatus("error", error="The server refused")))
    assert widget.label.text() == "Sync error: The server refused"
    assert "Error: The server refused" in widget.label.toolTip()
    assert widget.conflicts_button.isHidden()
    with qtbot.waitSignal(widget.sig_sync_now):
        widget.sync_button.click()


def test_under_make_run_a_changed_window_enrols_again_with_the_local_server(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocker of issue 11: the credential must follow the hall/window set in the desk."""
    import dnw_desk.devserver as devserver

    calls: list[tuple[Path, int, object]] = []

    def fake_ensure(desk_dir: Path, *, port: int, desk_db: object) -> tuple[str, bool]:
        calls.append((desk_dir, port, desk_db))
        return f"http://127.0.0.1:{port}", True

    monkeypatch.setenv("DNW_LOCAL_SERVER", "18765")
    monkeypatch.setattr(devserver, "ensure_local_server", fake_ensure)
    harness = make_harness(qtbot, data_dir)
    sync = _sync(harness)
    try:
        sync.start()
        qtbot.waitUntil(lambda: len(calls) == 1, timeout=10_000)
        assert calls[0] == (data_dir, 18765, harness.desk.db)
        harness.ui.bus.publish(Changes(settings=True))  # an admin saved the settings
        qtbot.waitUntil(lambda: len(calls) == 2, timeout=10_000)
    finally:
        sync.shutdown()
        harness.close()


def test_an_installed_calendar_release_reloads_the_desk_and_a_refusal_shows(
    qtbot: QtBot, english: None, clerk_desk: DeskHarness
) -> None:
    from dnw_desk.store.calendar_file import installed_override_path
    from dnw_desk.sync.client import SyncReport
    from tests.services.test_calendar_change import OVERRIDE_2027

    sync = _sync(clerk_desk)
    installed_override_path(clerk_desk.desk.data_dir).write_text(OVERRIDE_2027, encoding="utf-8")
    published: list[Changes] = []
    clerk_desk.ui.bus.sig_changed.connect(published.append)
    sync.on_worker_report(SyncReport(changed_case_ids=frozenset({"c1"}), calendar_installed=True))
    override = clerk_desk.desk.calendar.override
    assert override is not None and override.version == "2027.1"
    assert published and published[-1].calendar and published[-1].case_ids == {"c1"}

    sync.on_worker_status(SyncStatus("synced", calendar_refused="release 3 does not verify"))
    assert "Calendar update refused: release 3 does not verify" in sync.widget.label.text()
