"""Helpers for the printing tests: decode QR codes, split ESC/POS text-mode streams."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from pyzbar.pyzbar import decode


def decode_qr(path: Path) -> list[str]:
    with Image.open(path) as image:
        return [symbol.data.decode() for symbol in decode(image.convert("L"))]


def pdf_to_png(pdf: Path, out_prefix: Path, dpi: int = 300) -> Path:
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(pdf), str(out_prefix)],
        check=True,
        timeout=60,
    )
    return out_prefix.with_suffix(".png")


def split_text_mode(stream: bytes) -> tuple[list[bytes], list[bytes]]:
    """(text runs, commands) of a text-mode job; unknown escape sequences raise."""
    texts: list[bytes] = []
    commands: list[bytes] = []
    text = bytearray()
    i = 0

    def command(length: int) -> None:
        nonlocal i, text
        if text:
            texts.append(bytes(text))
            text = bytearray()
        commands.append(stream[i : i + length])
        i += length

    while i < len(stream):
        byte = stream[i]
        two = stream[i : i + 2]
        if two in (b"\x1b@", b"\x1c&", b"\x1c."):
            command(2)
        elif two in (b"\x1ba", b"\x1bE", b"\x1d!", b"\x1bd"):
            command(3)
        elif stream[i : i + 3] == b"\x1d(k":
            command(5 + stream[i + 3] + 256 * stream[i + 4])
        elif stream[i : i + 3] == b"\x1dv0":
            width_bytes = stream[i + 4] + 256 * stream[i + 5]
            height = stream[i + 6] + 256 * stream[i + 7]
            command(8 + width_bytes * height)
        elif two == b"\x1dV":
            command(3 if stream[i + 2] in (0, 1, 48, 49) else 4)
        elif byte == 0x0A:
            command(1)
        elif byte < 0x20:
            raise AssertionError(f"unexpected control byte {byte:#x} at {i}: {stream[i : i + 8]!r}")
        else:
            text.append(byte)
            i += 1
    if text:
        texts.append(bytes(text))
    return texts, commands


DLE_EOT = b"\x10\x04"


def answer_status_queries(
    pending: bytes, answers: dict[int, int], silent: bool, reply: Callable[[bytes], object]
) -> bytes:
    """Answer every complete DLE EOT n in ``pending`` as a receipt printer does (unless
    ``silent``); returns what to keep for the next read (a query may be split across reads)."""
    while DLE_EOT in pending:
        index = pending.index(DLE_EOT)
        if len(pending) < index + 3:
            break
        n = pending[index + 2]
        pending = pending[index + 3 :]
        if not silent and n in answers:
            reply(bytes([answers[n]]))
    return pending[-2:]


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Terminate a helper process (cupsd, socat), killing it if it does not go in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
