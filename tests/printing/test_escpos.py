"""ESC/POS output: raster strips and the Chinese text mode, checked byte by byte."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication, QImage

from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.printing.escpos_out import (
    FS_CHINESE_ON,
    STRIP_HEIGHT,
    PrinterProfile,
    encode_line,
    profile_named,
    raster_job,
    text_job,
)
from dnw_desk.printing.layout import Layout, Text, receipt_layout, slip_layout
from dnw_desk.printing.model import DocumentKind
from dnw_desk.printing.raster import render
from dnw_desk.printing.sample import SAMPLE_ID_NUMBER, sample_receipt, sample_slip

from .helpers import split_text_mode

PUNCTUATION = "，。、；：？！“”（）【】《》——……"


def _layout(*lines: str) -> Layout:
    return Layout(DocumentKind.TEST, "zh_CN", tuple(Text(line) for line in lines))


def test_text_mode_sends_fs_and_and_complete_gb18030(gui_app: QGuiApplication) -> None:
    stream = text_job(receipt_layout(sample_receipt(name="张三")), profile_named("80mm"))
    assert stream.startswith(b"\x1b@" + FS_CHINESE_ON)
    texts, _ = split_text_mode(stream)
    # Every run decodes strictly: no dangling lead byte, no half sequence.
    decoded = [run.decode("gb18030") for run in texts]
    joined = "\n".join(decoded)
    assert "受理回执" in joined and "张*" in joined and "AH08-20261124-0007K" in joined
    assert contains_unmasked_pii(joined) == [] and SAMPLE_ID_NUMBER not in joined


def test_full_width_punctuation_and_yen_survive() -> None:
    # 38 columns as the printer counts them: one line on 80 mm paper.
    stream = text_job(_layout(PUNCTUATION, "收费 ¥0.00（免费） ￥"), profile_named("80mm"))
    texts, _ = split_text_mode(stream)
    decoded = [run.decode("gb18030") for run in texts]
    assert PUNCTUATION in decoded
    assert "收费 ¥0.00（免费） ￥" in decoded
    assert "¥".encode("gb18030") in stream  # not replaced by '?' or a code-page guess


def test_line_the_printer_font_cannot_hold_goes_as_an_image(gui_app: QGuiApplication) -> None:
    assert encode_line("𠮷田") is None
    assert encode_line("私\ue000") is None
    assert encode_line("买买提·艾力") is not None
    stream = text_job(_layout("反映人：𠮷*", "普通的一行"), profile_named("80mm"))
    texts, commands = split_text_mode(stream)
    assert any(command.startswith(b"\x1dv0") for command in commands)
    decoded = "".join(run.decode("gb18030") for run in texts)
    assert "普通的一行" in decoded and "𠮷" not in decoded


def test_native_qr_only_where_the_profile_supports_it(gui_app: QGuiApplication) -> None:
    layout = receipt_layout(sample_receipt())
    url = sample_receipt().status_url.encode()
    with_native = text_job(layout, profile_named("80mm"))
    assert b"\x1d(k" in with_native and url in with_native
    without = text_job(layout, profile_named("58mm"))
    assert b"\x1d(k" not in without and url not in without
    assert b"\x1dv0" in without  # drawn as an image instead


def test_wrapping_stays_inside_the_columns() -> None:
    long = "责任单位将于2026年11月25日 17:30前，向您和本窗口反馈办理结果或办理意见。" * 2
    stream = text_job(_layout(long), profile_named("58mm"))
    texts, _ = split_text_mode(stream)
    from dnw_desk.printing.textwrap_cjk import display_width

    assert all(display_width(run.decode("gb18030")) <= 32 for run in texts)


def test_raster_job_in_strips_then_cut(gui_app: QGuiApplication) -> None:
    profile = profile_named("80mm")
    image = render(receipt_layout(sample_receipt()), profile.width_dots)
    stream = raster_job(image, profile)
    strips = stream.count(b"\x1dv0")
    assert strips == -(-image.height() // STRIP_HEIGHT)
    header = stream.index(b"\x1dv0")
    assert stream[header + 4 : header + 6] == (576 // 8).to_bytes(2, "little")
    assert stream.rstrip(b"\x00").endswith(b"\x1dV") or b"\x1dV" in stream[-8:]


# Narrow in Unicode (East Asian width "A" or "N"), but two bytes in GB18030: a printer in Chinese
# mode prints them double width.
TWO_BYTE_NARROW = "“”…—·×→"


def test_text_mode_lines_fit_the_printer_counted_in_encoded_bytes() -> None:
    from dnw_desk.printing.layout import Field

    profile = profile_named("58mm")
    text = ("“办不成事”反映……张三·李四 3×2 → 窗口—" * 3).strip()
    layout = Layout(
        DocumentKind.TEST,
        "zh_CN",
        (Text(text), Field("说明：", text), Field("Note ×→", "ok “quoted” — done")),
    )
    texts, _ = split_text_mode(text_job(layout, profile))
    assert texts
    # Each printed line in bytes is its width in half-width cells (1 byte ASCII, 2 bytes else).
    too_wide = [run for run in texts if len(run.rstrip(b"\n")) > profile.columns]
    assert too_wide == []


def test_two_byte_punctuation_counts_two_columns() -> None:
    from dnw_desk.printing.textwrap_cjk import encoded_width

    for char in TWO_BYTE_NARROW:
        assert encoded_width(char) == 2, char
    assert encoded_width("AH08 ") == 5 and encoded_width("受理") == 4
    assert encoded_width("¥") == 2  # four bytes in GB18030, one glyph


def _escpos_image_job(image: QImage, profile: PrinterProfile) -> bytes:
    """The job as python-escpos' own ``image()`` writes it: the reference for the bytes."""
    from escpos.printer import Dummy

    from dnw_desk.printing.raster import to_pil

    printer = Dummy(profile=profile.escpos_profile)
    printer._raw(b"\x1b@")
    printer.image(to_pil(image), impl="bitImageRaster", fragment_height=STRIP_HEIGHT)
    printer.cut()
    return bytes(printer.output)


def test_raster_job_bytes_are_python_escpos_images(gui_app: QGuiApplication) -> None:
    for name in ("80mm", "58mm"):
        profile = profile_named(name)
        for layout in (receipt_layout(sample_receipt()), slip_layout(sample_slip())):
            image = render(layout, profile.width_dots)
            assert raster_job(image, profile) == _escpos_image_job(image, profile)


def test_raster_job_does_not_go_through_python_escpos_image_processing(
    gui_app: QGuiApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # python-escpos converts each strip RGBA → RGB → L → inverted → 1 bit: three times the work
    # of encoding the receipt, on the print worker while the desk is busiest.
    from escpos import escpos

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("raster_job went through python-escpos' image()")

    monkeypatch.setattr(escpos.Escpos, "image", refuse)
    profile = profile_named("80mm")
    image = render(receipt_layout(sample_receipt()), profile.width_dots)
    assert raster_job(image, profile).startswith(b"\x1b@\x1dv0")
