"""Receipt content, raster and PDF output: masking, QR codes, rare names, glyph coverage."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QImage

from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.printing import fonts
from dnw_desk.printing.jobs import glyph_warning, layout_for, write_pdf, write_png
from dnw_desk.printing.layout import Style, Text, receipt_layout, slip_layout
from dnw_desk.printing.raster import DOTS_58MM, DOTS_80MM, DOTS_TM_T88, render
from dnw_desk.printing.sample import SAMPLE_ID_NUMBER, sample_receipt, sample_slip

from .helpers import decode_qr, pdf_to_png

PHONE_DIGITS = "13812345678"


def test_receipt_masks_personal_data_and_says_what_it_must() -> None:
    text = receipt_layout(sample_receipt(name="张三丰")).plain_text()
    assert "张**" in text and "张三丰" not in text
    assert "138****5678" in text
    assert "110***********002X" in text
    assert PHONE_DIGITS not in text and SAMPLE_ID_NUMBER not in text
    assert contains_unmasked_pii(text) == []
    for expected in ("受理回执", "AH08-20261124-0007K", "7K3Q9P", "2026年11月25日 17:30", "12345"):
        assert expected in text
    assert "补打" not in text and "暂定" not in text


def test_reprint_and_provisional_wording() -> None:
    data = dataclasses.replace(sample_receipt(), copy_number=3, deadline_provisional=True)
    text = receipt_layout(data).plain_text()
    assert "补打 · 第3份" in text
    assert "暂定" in text


def test_english_receipt() -> None:
    text = receipt_layout(sample_receipt(language="en")).plain_text()
    assert "Acknowledgement receipt" in text and "受理回执" not in text


def test_status_url_has_no_personal_data() -> None:
    data = sample_receipt()
    assert data.status_url == (
        "https://zwfw.example.gov.cn/dnw/status/AH08-20261124-0007K?code=7K3Q9P"
    )


def test_slip_has_reason_and_advice_masked() -> None:
    text = slip_layout(sample_slip()).plain_text()
    assert "一次性告知单" in text and "诉讼" in text and "12345" in text
    assert "买**·**" in text and "买买提" not in text
    assert contains_unmasked_pii(text) == []


@pytest.mark.parametrize("width", [DOTS_80MM, DOTS_58MM, DOTS_TM_T88])
def test_png_qr_decodes_to_the_status_url(
    gui_app: QGuiApplication, tmp_path: Path, width: int
) -> None:
    data = sample_receipt()
    path = tmp_path / "receipt.png"
    write_png(receipt_layout(data), path, width)
    image = QImage(str(path))
    assert image.width() == width
    decoded = decode_qr(path)
    assert decoded == [data.status_url]
    assert PHONE_DIGITS not in decoded[0] and SAMPLE_ID_NUMBER not in decoded[0]


def test_pdf_qr_decodes_embeds_fonts_and_leaks_nothing(
    gui_app: QGuiApplication, tmp_path: Path
) -> None:
    data = sample_receipt(name="买买提·艾力")
    pdf = tmp_path / "receipt.pdf"
    write_pdf(receipt_layout(data), pdf, DOTS_80MM)
    assert decode_qr(pdf_to_png(pdf, tmp_path / "page")) == [data.status_url]
    fonts_report = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    font_rows = fonts_report.splitlines()[2:]
    assert font_rows and all(" yes yes " in row for row in font_rows)  # embedded, subset
    assert "TrueType" in fonts_report and "Helvetica" not in fonts_report
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "AH08-20261124-0007K" in text and "受理回执" in text
    assert contains_unmasked_pii(text) == [] and PHONE_DIGITS not in text


def _dark_pixels(image: QImage) -> int:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())
    stride = gray.bytesPerLine()
    return sum(
        1
        for y in range(gray.height())
        for value in data[y * stride : y * stride + gray.width()]
        if value < 128
    )


@pytest.mark.parametrize("name", ["𠮷", "买买提·艾力", "𠮷丽娜"])
def test_rare_names_render_with_real_glyphs(gui_app: QGuiApplication, name: str) -> None:
    assert fonts.missing_glyphs(name) == []
    image = render((Text(name, Style.BODY),), DOTS_80MM)
    assert _dark_pixels(image) > 40
    # Every character draws ink of its own (no zero-width or blank fallback glyphs).
    for char in name:
        assert _dark_pixels(render((Text(char, Style.BODY),), DOTS_80MM)) > 5, char


def test_ext_b_character_comes_from_the_bundled_ext_b_font() -> None:
    assert fonts.font_for_char("𠮷") is fonts.CJK_EXT_B
    assert fonts.font_for_char("买") is fonts.CJK
    assert fonts.font_for_char("·") is fonts.LATIN


def test_missing_glyph_warning_names_the_character() -> None:
    data = dataclasses.replace(sample_receipt(), complainant_name="王\ue000明")
    layout = layout_for(data)  # masked to 王**: the surname is what is printed
    assert glyph_warning(layout) is None
    data = dataclasses.replace(sample_receipt(), complainant_name="\ue000明")
    warning = glyph_warning(layout_for(data))
    assert warning is not None and "U+E000" in warning
    assert fonts.missing_glyphs("张\U0002ffff") == ["\U0002ffff"]  # unassigned code point


def test_png_has_no_unmasked_personal_data(gui_app: QGuiApplication, tmp_path: Path) -> None:
    # The image is drawn from the layout; the layout's text is the only text source.
    layout = layout_for(sample_receipt())
    assert contains_unmasked_pii(layout.plain_text()) == []
    write_png(layout, tmp_path / "r.png", DOTS_58MM)
    assert decode_qr(tmp_path / "r.png")[0].count("7K3Q9P") == 1
