"""The streaming XLSX writer: what openpyxl reads back is what was written."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from dnw_desk.reports.xlsx_stream import BOLD, TITLE, xlsx_sheet


def test_cells_styles_widths_and_frozen_rows_read_back(tmp_path: Path) -> None:
    out = tmp_path / "book.xlsx"
    with xlsx_sheet(out, "台账 <&>", (22, 9), 2) as sheet:
        sheet.append(["Title"], TITLE)
        sheet.append(["A", "B"], BOLD)
        sheet.append(["=1+1 <b>&amp;\x01", 7])
        sheet.append(["", "  spaced  "])
    book = load_workbook(out)
    ws = book.active
    assert ws is not None
    assert ws.title == "台账 <&>"
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width == 22
    assert ws["A1"].font.b and ws["A1"].font.sz == 13
    assert ws["B2"].font.b and not ws["A3"].font.b
    assert [c.value for c in ws[3]] == ["=1+1 <b>&amp;", 7]  # text, never a formula
    assert [c.value for c in ws[4]] == [None, "  spaced  "]
