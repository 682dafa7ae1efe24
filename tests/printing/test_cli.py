"""``dnw-desk receipt`` and ``dnw-desk print-test`` end to end (in process)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from dnw_desk.cli import main
from dnw_desk.domain.masking import contains_unmasked_pii

from .conftest import ONLINE, PAPER_OUT, FakePrinter
from .helpers import decode_qr, split_text_mode


def test_receipt_sample_writes_all_outputs(gui_app: QGuiApplication, tmp_path: Path) -> None:
    png, escpos, pdf = tmp_path / "r.png", tmp_path / "r.bin", tmp_path / "r.pdf"
    args = ["receipt", "--sample", "--width", "58", "--mode", "text"]
    code = main([*args, "--png", str(png), "--escpos", str(escpos), "--pdf", str(pdf)])
    assert code == 0
    assert decode_qr(png)[0].startswith("https://")
    assert pdf.read_bytes().startswith(b"%PDF")
    texts, _ = split_text_mode(escpos.read_bytes())
    assert contains_unmasked_pii("\n".join(t.decode("gb18030") for t in texts)) == []


def test_receipt_needs_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["receipt", "--sample"]) == 2
    assert "--png" in capsys.readouterr().err


def test_print_test_online(gui_app: QGuiApplication, fake_printer: type[FakePrinter]) -> None:
    printer = fake_printer(ONLINE)
    assert main(["print-test", "--printer", printer.uri]) == 0
    deadline = time.monotonic() + 2
    while b"\x1dv0" not in printer.received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert b"\x1dv0" in printer.received


@pytest.mark.parametrize("state", ["paper_out", "silent", "refused", "malformed"])
def test_print_test_fails_clearly_and_quickly(
    fake_printer: type[FakePrinter], capsys: pytest.CaptureFixture[str], state: str
) -> None:
    if state == "paper_out":
        uri = fake_printer(PAPER_OUT).uri
    elif state == "silent":
        uri = fake_printer(silent=True).uri
    elif state == "refused":
        uri = "tcp://127.0.0.1:9"
    else:
        uri = "tcp://127.0.0.1:notaport"
    started = time.monotonic()
    code = main(["print-test", "--printer", uri])
    assert code in (1, 2) and time.monotonic() - started < 3.0
    output = capsys.readouterr()
    assert (output.out + output.err).strip()
