"""The form survives a crash: a killed process leaves a draft that is offered back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from dnw_desk.services.drafts import draft_path, load_draft
from dnw_desk.ui.confirm_dialog import ConfirmDialog
from tests.ui.conftest import CLERK, make_harness

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_draft_recovered_after_sigkill(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.draft_child", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "DRAFT-SAVED", child.stderr.read() if child.stderr else ""
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    found = load_draft(data_dir)
    assert found is not None and found[0]["name"] == "周𠮷"

    asked: list[str] = []

    def restore(cls, parent, title, text, yes, no) -> bool:  # type: ignore[no-untyped-def]
        asked.append(text)
        return True

    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(restore))
    harness = make_harness(qtbot, data_dir)
    try:
        harness.login(qtbot, CLERK[0], CLERK[2])
        form = harness.session.intake.form
        assert asked, "the draft was not offered"
        assert form.text("name") == "周𠮷"
        assert form.text("phone") == "13812345678"
        assert form.category.currentData() == "4"
        assert form.text("ysj_place") == "上海市浦东新区"
        assert form.rows["ysj_place"].container.isVisibleTo(form)
        assert form.text("description") == "第一行\n第二行"
        assert harness.count_cases() == 0
    finally:
        harness.close()


def test_declined_draft_is_discarded(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    from dnw_desk.clock import HALL_TZ
    from dnw_desk.services.drafts import save_draft

    save_draft(data_dir, {"name": "吴九"}, datetime(2026, 11, 24, 9, 0, tzinfo=HALL_TZ))
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a: False))
    harness = make_harness(qtbot, data_dir)
    try:
        harness.login(qtbot, CLERK[0], CLERK[2])
        assert harness.session.intake.form.is_empty()
        assert not draft_path(data_dir).exists()
    finally:
        harness.close()
