"""The 督办单: printable for a case escalated on its second overdue working day, refused for a
case that is not escalated; no complainant data on it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dnw_desk.cli import main
from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.errors import DomainError
from dnw_desk.reports import jobs
from dnw_desk.services.alerts import alerts_for
from tests.factories import UNIT, desk_at, register
from tests.reports.test_reports import needs_pdftotext, pdf_text


@needs_pdftotext
def test_an_automatically_escalated_case_prints_its_notice(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    saved = register(desk, name="张三丰")
    waiting = register(desk)
    clock.now = datetime(2026, 11, 27, 9, 15, tzinfo=HALL_TZ)  # two working days overdue
    alerts_for(desk).refresh()
    out = tmp_path / "notice.pdf"
    assert jobs.supervision_pdf(desk, saved.case.number, out) == UNIT
    text = pdf_text(out)
    assert "督办单" in text and saved.case.number in text and UNIT in text
    assert "逾期第二个工作日" in text
    assert "张三丰" not in text and "张*" not in text
    desk.close()
    args = ["--data-dir", str(data_dir), "report", "supervision", "--case", waiting.case.number]
    assert main([*args, "--out", str(tmp_path / "cli.pdf")]) == 0
    assert (tmp_path / "cli.pdf").exists()


def test_a_case_that_is_not_escalated_has_no_notice(data_dir: Path, tmp_path: Path) -> None:
    desk, _clock = desk_at(data_dir)
    saved = register(desk)
    with pytest.raises(DomainError):
        jobs.supervision_pdf(desk, saved.case.number, tmp_path / "n.pdf")
    assert not (tmp_path / "n.pdf").exists()
    desk.close()
