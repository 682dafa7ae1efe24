from __future__ import annotations

import hashlib

import pytest

from dnw_desk.domain.attachments import (
    MAX_BYTES,
    AttachmentInfo,
    AttachmentRefused,
    MediaType,
    describe,
    display_name,
    examine,
)
from tests.factories import pdf_bytes, png_bytes


def test_pdf_jpeg_and_png_are_recognised_by_their_bytes_not_their_name() -> None:
    pdf = pdf_bytes()
    info = examine("C:\\扫描\\受理回执.PDF", pdf)
    assert info.media_type is MediaType.PDF
    assert info.filename == "受理回执.PDF"
    assert info.sha256 == hashlib.sha256(pdf).hexdigest() and info.size == len(pdf)
    assert examine("photo.bin", png_bytes()).media_type is MediaType.PNG
    assert examine("x", b"\xff\xd8\xff\xe0" + b"0" * 20).media_type is MediaType.JPEG


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "空文件"),
        (b"MZ\x90\x00 not a document", "不是PDF、JPEG或PNG"),
        (b"%PDF-" + b"0" * MAX_BYTES, "不能超过 10 MB"),
    ],
)
def test_what_is_not_taken_is_refused_with_its_reason(content: bytes, message: str) -> None:
    with pytest.raises(AttachmentRefused, match=message):
        examine("证明.pdf", content)


def test_names_are_one_line_and_bounded_keeping_the_extension() -> None:
    assert display_name("/home/u/a\nb.png") == "ab.png"
    long = display_name("很" * 200 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")
    assert display_name("///") == "attachment"  # never empty


def test_event_data_round_trips_and_bad_data_is_not_an_attachment() -> None:
    info = examine("a.png", png_bytes())
    assert AttachmentInfo.from_data(info.to_data()) == info
    assert AttachmentInfo.from_data({**info.to_data(), "sha256": "../../etc"}) is None
    assert AttachmentInfo.from_data({**info.to_data(), "size": MAX_BYTES + 1}) is None
    assert AttachmentInfo.from_data({**info.to_data(), "media_type": "text/html"}) is None
    assert AttachmentInfo.from_data("nope") is None
    assert describe(info).startswith("a.png (PNG, ")
