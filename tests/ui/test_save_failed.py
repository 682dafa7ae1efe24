"""A save refused by the disk (full, I/O error): the message shows, the form keeps its content,
nothing is half-saved; the next save after space came back works."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select

from dnw_desk.domain.case import EventType
from dnw_desk.store.database import SaveFailed
from dnw_desk.store.tables import audit_log, case_events, cases, outbox
from dnw_desk.ui.case_detail import CaseDetailDialog
from dnw_desk.ui.screenshots import fill_intake
from tests.factories import register
from tests.ui.conftest import DeskHarness

DISK_FULL = "The disk is full, so this was NOT saved."


def _counts(harness: DeskHarness) -> tuple[int, ...]:
    with harness.desk.db.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (cases, case_events, outbox, audit_log)
        )


def _cap_the_disk(harness: DeskHarness) -> Any:
    """SQLite's own "database or disk is full": no page beyond the file's current size, and no
    free page left inside it (incremental auto-vacuum hands them back first)."""
    for _step in range(100):
        if not harness.desk.db.reclaim_space():
            break
    engine = harness.desk.db.writer_engine
    engine.dispose()

    def cap(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap)

    def release() -> None:
        event.remove(engine, "connect", cap)
        engine.dispose()

    return release


def test_intake_on_a_full_disk_keeps_the_form_and_says_so(
    qtbot: QtBot, english: None, clerk_desk: DeskHarness
) -> None:
    page = clerk_desk.session.intake
    fill_intake(page)
    # Long enough that the case needs new pages in the file.
    page.form.long_edits["description"].setPlainText("每次被告知缺不同的材料。" * 120)
    before = _counts(clerk_desk)
    release = _cap_the_disk(clerk_desk)
    page.on_save_triggered()
    assert page.form_error.text().startswith(DISK_FULL)
    assert not page.form_error.isHidden()
    assert page.save_button.isEnabled() and not page.saving
    assert page.form.edits["name"].text() == "张三"
    assert page.form.long_edits["description"].toPlainText().startswith("每次被告知")
    assert _counts(clerk_desk) == before  # nothing half-saved
    assert page.last_case is None

    release()
    page.on_save_triggered()
    assert page.last_case is not None and page.form.is_empty()
    assert _counts(clerk_desk)[0] == before[0] + 1


def test_intake_shows_any_save_failed_message(
    qtbot: QtBot, clerk_desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = clerk_desk.session.intake
    fill_intake(page)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise SaveFailed("磁盘报告了错误，因此本次未保存。")

    monkeypatch.setattr(clerk_desk.desk.cases, "register", broken)
    page.on_save_triggered()
    assert page.form_error.text() == "磁盘报告了错误，因此本次未保存。"
    assert page.form.edits["name"].text() == "张三" and clerk_desk.count_cases() == 0


def test_a_case_action_on_a_full_disk_shows_the_message(
    qtbot: QtBot, english: None, clerk_desk: DeskHarness
) -> None:
    saved = register(clerk_desk.desk)
    dialog = CaseDetailDialog(clerk_desk.ui, saved.case.id, clerk_desk.window)
    qtbot.addWidget(dialog)
    before = _counts(clerk_desk)
    release = _cap_the_disk(clerk_desk)
    dialog.perform(EventType.NOTE, {"text": "回访未接通，明天再打。" * 150})
    release()
    assert dialog.message.text().startswith(DISK_FULL)
    assert _counts(clerk_desk) == before
