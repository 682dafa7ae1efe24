"""A minimal streaming XLSX writer: one sheet of strings and integers, inline strings, a bold
heading style, column widths and frozen heading rows — what the ledger needs, nothing more.

openpyxl's write-only mode and XlsxWriter's constant-memory mode both spend ~1 ms a row
building each cell in Python; here a row is one formatted string, so 100 000 rows stream in a
few seconds (bench/bench_reports.py measures all three side by side). Memory stays flat: rows
go straight into the deflated zip member.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import quoteattr

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PLAIN, BOLD, TITLE = 0, 1, 2  # cell styles (cellXfs indices in styles.xml)
FLUSH_EVERY = 500
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# XML 1.0 forbids most control characters; &, < and > must be escaped in text.
_CONTROLS = (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))
_ESCAPES: dict[int, str | None] = dict.fromkeys(_CONTROLS)
_ESCAPES.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{DECLARATION}<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    f'{DECLARATION}<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="13"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class SheetWriter:
    """Appends rows of ``str`` / ``int`` cells (empty strings leave the cell blank)."""

    def __init__(self, write: object, columns: int) -> None:
        self._write = write
        self._letters = [get_column_letter(index) for index in range(1, columns + 1)]
        self._pending: list[str] = []
        self.rows = 0

    def append(self, values: Sequence[str | int], style: int = PLAIN) -> None:
        self.rows += 1
        line = self.rows
        styled = f' s="{style}"' if style else ""
        cells = [f'<row r="{line}">']
        for letter, value in zip(self._letters, values, strict=False):
            if isinstance(value, int):
                cells.append(f'<c r="{letter}{line}"{styled}><v>{value}</v></c>')
            elif value:
                cells.append(
                    f'<c r="{letter}{line}"{styled} t="inlineStr"><is><t xml:space="preserve">'
                    f"{value.translate(_ESCAPES)}</t></is></c>"
                )
        cells.append("</row>")
        self._pending.append("".join(cells))
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._write("".join(self._pending).encode())  # type: ignore[operator]
            self._pending.clear()


@contextmanager
def xlsx_sheet(
    path: Path, name: str, widths: Sequence[float], frozen_rows: int
) -> Iterator[SheetWriter]:
    """Write ``path`` as a one-sheet workbook; rows appended inside the block stream to disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            f'<sheet name={quoteattr(name[:31])} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(_sheet_head(widths, frozen_rows).encode())
            sheet = SheetWriter(member.write, len(widths))
            yield sheet
            sheet.flush()
            member.write(b"</sheetData></worksheet>")


def _sheet_head(widths: Sequence[float], frozen_rows: int) -> str:
    view = '<sheetView workbookViewId="0">'
    if frozen_rows:
        view += (
            f'<pane ySplit="{frozen_rows}" topLeftCell="A{frozen_rows + 1}" '
            'activePane="bottomLeft" state="frozen"/>'
        )
    columns = "".join(
        f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
        for index, width in enumerate(widths, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews>{view}</sheetView></sheetViews>'
        f"<cols>{columns}</cols><sheetData>"
    )
