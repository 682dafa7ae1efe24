"""Report contents through pdftotext and openpyxl; nothing personal in masked output."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.reports import jobs
from dnw_desk.reports.progress import CancelToken, ExportCancelled
from dnw_desk.services.bulletin import UnitBulletin, UnitFigures
from dnw_desk.services.cases import PermissionDenied
from dnw_desk.services.handling import handling_for
from dnw_desk.services.review import ExportRequest
from tests.factories import CLERK, SHIFT_LEAD, TODAY, VALID_ID, desk_at, register

START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)
PHONE = "13812345678"

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def desk(data_dir: Path):  # type: ignore[no-untyped-def]
    desk, clock = desk_at(data_dir, START)
    numbers = []
    for index in range(3):
        saved = register(desk, id_number=VALID_ID if index == 0 else "", name="欧阳娜娜")
        numbers.append(saved.case.number)
        clock.advance(minutes=7)
    register(desk, lead_unit="省民政厅", name="买买提·艾力", phone="055162345678")
    first = desk.cases.events  # keep a reference for readability below
    del first
    handling = handling_for(desk)
    with desk.db.read() as conn:
        from dnw_desk.store.cases_repo import get_case_by_number

        case = get_case_by_number(conn, numbers[0])
    assert case is not None
    handling.perform(case.id, EventType.UNIT_RETURNED, CLERK, {"reason": "非本单位职责"})
    desk.cases.clock = clock
    clock.now = datetime(2026, 11, 25, 18, 0, tzinfo=HALL_TZ)  # some are overdue now
    yield desk
    desk.close()


@needs_pdftotext
def test_day_ledger_pdf_lists_the_day_masked_in_chinese(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "daily.pdf"
    count = jobs.daily_pdf(desk, TODAY, out)
    assert count == 4
    text = pdf_text(out)
    assert "每日台账" in text and "2026-11-24" in text
    for heading in ("登记", "待反馈", "逾期", "按时反馈率", "按类别", "按责任单位", "交接班"):
        assert heading in text, heading
    assert "欧***" in text and "买**·**" in text
    assert "AH08-20261124-0001" in text
    assert contains_unmasked_pii(text) == []
    assert PHONE not in text and VALID_ID not in text


@needs_pdftotext
def test_unmasked_day_ledger_needs_a_reason(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dnw_desk.domain.errors import FieldErrors

    with pytest.raises(FieldErrors):
        jobs.daily_pdf(desk, TODAY, tmp_path / "x.pdf", actor=SHIFT_LEAD, masked=False)
    with pytest.raises(PermissionDenied):
        jobs.daily_pdf(desk, TODAY, tmp_path / "x.pdf", actor=CLERK)
    assert not (tmp_path / "x.pdf").exists()
    jobs.daily_pdf(desk, TODAY, tmp_path / "u.pdf", actor=SHIFT_LEAD, masked=False, reason="核对")
    assert "欧阳娜娜" in pdf_text(tmp_path / "u.pdf")


def test_ledger_xlsx_is_masked_by_default(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ledger.xlsx"
    assert jobs.ledger_export(desk, ExportRequest(TODAY, TODAY), out) == 4
    sheet = load_workbook(out, read_only=True).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert list(rows[1][:3]) == ["受理编号", "登记时间", "反映人"]
    body = rows[2:]
    assert len(body) == 4
    assert body[0][2] == "欧***" and body[0][3] == "138****5678"
    assert body[0][4] == "110***********0017"
    assert body[3][3] == "0551-****5678"
    flat = "\n".join(str(c) for row in rows for c in row if c is not None)
    assert contains_unmasked_pii(flat) == []


def test_ledger_csv_unmasked_only_with_reason(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ledger.csv"
    jobs.ledger_export(desk, ExportRequest(TODAY, TODAY, False, "公安协查"), out, actor=SHIFT_LEAD)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "受理编号"
    assert rows[1][3] == "+8613812345678" and rows[1][4] == VALID_ID
    masked = tmp_path / "masked.csv"
    jobs.ledger_export(desk, ExportRequest(TODAY, TODAY), masked)
    assert contains_unmasked_pii(masked.read_text(encoding="utf-8-sig")) == []


def test_a_cancelled_export_leaves_no_file(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "exports"
    folder.mkdir()  # never created by the export
    token = CancelToken()
    token.cancel()
    with pytest.raises(ExportCancelled):
        jobs.ledger_export(desk, ExportRequest(TODAY, TODAY), folder / "ledger.xlsx", cancel=token)
    assert list(folder.iterdir()) == []


@needs_pdftotext
def test_unit_bulletin_pdf_and_xlsx(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    month = date(2026, 11, 1)
    assert jobs.units_report(desk, month, tmp_path / "units.pdf") >= 2
    text = pdf_text(tmp_path / "units.pdf")
    assert "责任单位月度通报" in text and "2026-11" in text
    assert "省公安厅" in text and "省民政厅" in text and "退单" in text
    jobs.units_report(desk, month, tmp_path / "units.xlsx")
    sheet = load_workbook(tmp_path / "units.xlsx").active
    header = [c.value for c in sheet[2]]
    assert header[0] == "责任单位" and "退单" in header
    values = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    returns = header.index("退单")
    assert values["省公安厅"][returns] == 1
    assert values["合计"][returns] == 1
    with pytest.raises(ValueError):
        jobs.units_report(desk, month, tmp_path / "units.docx")


@needs_pdftotext
def test_a_not_accepted_case_shows_its_reason_never_its_key(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 11, defect 4: ``x-hotline`` reached the queue, the chart, the PDF and the XLSX."""
    from dnw_desk.services.review import review_for
    from tests.factories import register_refused

    register_refused(desk)
    day = desk.clock().date()
    review = review_for(desk).build_day_review(day)
    labels = {b.label for b in review.by_category}
    assert "宜通过12345热线反映" in labels and not any("x-" in label for label in labels)
    pdf = tmp_path / "daily.pdf"
    jobs.daily_pdf(desk, day, pdf)
    text = pdf_text(pdf)
    assert "x-hotline" not in text and "不予受理 = 宜通过12345热线反映" in text
    xlsx = tmp_path / "ledger.xlsx"
    jobs.ledger_export(desk, ExportRequest(day, day), xlsx)
    sheet = load_workbook(xlsx, read_only=True).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "宜通过12345热线反映" in cells and not any("x-hotline" in c for c in cells)


def pdf_words(path: Path) -> list[tuple[int, float, float, float, str]]:
    """Every word of the PDF as (page, xMin, xMax, yMin, text), through pdftotext -bbox."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    words: list[tuple[int, float, float, float, str]] = []
    page = 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)".*>(.*)</word>', line)
        if found:
            x_min, y_min, x_max = (float(found.group(i)) for i in (1, 2, 3))
            words.append((page, x_min, x_max, y_min, html.unescape(found.group(4))))
    return words


@needs_pdftotext
@pytest.mark.parametrize("masked", [True, False])
def test_day_ledger_phones_stay_in_their_column(desk, tmp_path: Path, masked: bool) -> None:  # type: ignore[no-untyped-def]
    """Issue 11, defect 12: a landline ran over into the next column."""
    out = tmp_path / "daily.pdf"
    jobs.daily_pdf(desk, TODAY, out, actor=SHIFT_LEAD, masked=masked, reason="核对")
    words = pdf_words(out)
    page, phone_left, _x, header_y, _t = next(w for w in words if w[4] == "电话")
    # The next column's header text starts 3 pt (its padding) right of the cell border.
    border = (
        min(
            w[1]
            for w in words
            if w[0] == page and w[1] > phone_left + 1 and abs(w[3] - header_y) < 6
        )
        - 3
    )
    in_column = [
        w for w in words if w[0] == page and w[3] > header_y + 8 and phone_left - 1 < w[1] < border
    ]
    phones = [w for w in in_column if any(c.isdigit() for c in w[4])]
    assert len({w[3] for w in phones}) == 4  # one phone per case
    assert ("0551-****5678" if masked else "0551-6234") in {w[4] for w in phones}
    assert not any(w[4].startswith("+86") for w in words)
    for word in phones:
        assert word[2] <= border - 1, word


@needs_pdftotext
def test_day_ledger_starts_on_page_one_when_there_is_room(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 11, defect 12: a forced page break left most of page 1 empty."""
    out = tmp_path / "daily.pdf"
    jobs.daily_pdf(desk, TODAY, out)
    first_page = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(out), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "登记案件" in first_page and "AH08-20261124-0001" in first_page


def _bulletin(units: int) -> UnitBulletin:
    figures = tuple(
        UnitFigures(f"测试单位{index:02d}", 9, 8, 7, units - index, 5.5, index % 3, 6, 5, 4.2)
        for index in range(units)
    )
    return UnitBulletin(date(2026, 11, 1), figures, START)


@needs_pdftotext
def test_bulletin_heading_stays_with_its_chart(tmp_path: Path) -> None:
    """Issue 11, defect 12: "各单位逾期与退单情况" ended page 1, its chart on page 2. Whatever the
    number of units, the heading and the chart's title share a page."""
    from dnw_desk.reports.units import write_units_pdf

    for units in range(18, 42, 2):
        out = tmp_path / f"units-{units}.pdf"
        write_units_pdf(_bulletin(units), out, hall_name="测试大厅")
        words = pdf_words(out)
        heading = next(w[0] for w in words if w[4].startswith("各单位逾期与退单情况"))
        chart = next(w[0] for w in words if w[4].startswith("逾期较多的单位"))
        assert heading == chart, units


def test_the_ledger_s_category_legend_takes_chinese_punctuation() -> None:
    """The day ledger's legend read "类别：第1类 = …; 第3类 = …" with an ASCII semicolon."""
    from types import SimpleNamespace

    from dnw_desk.reports.daily import _category_legend

    rows = [
        SimpleNamespace(category_code="1", category="申请省级政务服务事项"),
        SimpleNamespace(category_code="3", category="推诿扯皮、办事拖拉"),
    ]
    legend = _category_legend(rows)  # type: ignore[arg-type]
    assert "; " not in legend and "；" in legend
