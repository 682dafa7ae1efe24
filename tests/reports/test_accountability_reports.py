"""The accountability figures on paper: the day ledger's line of marks, the bulletin's
accountability table with its penalty ranking, the same columns in the spreadsheet."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.reports import jobs
from dnw_desk.services.handling import handling_for
from dnw_desk.services.review import review_for
from tests.factories import CLERK, UNIT, desk_at, register
from tests.reports.test_reports import needs_pdftotext, pdf_text


@needs_pdftotext
def test_a_late_return_shows_in_the_day_ledger_and_the_bulletin(
    data_dir: Path, tmp_path: Path
) -> None:
    desk, clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    handling = handling_for(desk)
    late = register(desk).case.id
    register(desk, lead_unit="省民政厅")  # pending, on time: ranked after the late unit
    clock.now = datetime(2026, 11, 26, 10, 0, tzinfo=HALL_TZ)
    handling.perform(late, EventType.UNIT_RETURNED, CLERK, {"reason": "非本单位"})
    handling.perform(late, EventType.RETURN_REVIEWED, CLERK, {"decision": "accepted"})
    day = date(2026, 11, 26)
    marks = review_for(desk).build_day_review(day).marks
    assert marks["late_returns"] == 1 and marks["returns_accepted"] == 1

    jobs.daily_pdf(desk, day, tmp_path / "daily.pdf")
    assert "逾期退单" in pdf_text(tmp_path / "daily.pdf")
    jobs.units_report(desk, date(2026, 11, 1), tmp_path / "units.pdf")
    text = pdf_text(tmp_path / "units.pdf")
    assert "各单位问责情况" in text and "扣分" in text and "按扣分从高到低排序" in text
    jobs.units_report(desk, date(2026, 11, 1), tmp_path / "units.xlsx")
    sheet = load_workbook(tmp_path / "units.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[2]]
    rows = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows[0][0] == UNIT  # worst first
    assert rows[0][header.index("逾期退单")] == 1
    assert rows[0][header.index("扣分")] > rows[1][header.index("扣分")]
    desk.close()
