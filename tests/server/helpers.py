"""Building pushable ops from a real desk (the desk's own outbox is the wire format)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

from PIL import Image

from dnw_desk.services.desk import Desk
from dnw_desk.store.outbox_queries import pending_ops


def outbox_payloads(desk: Desk) -> list[dict[str, Any]]:
    with desk.db.read() as conn:
        return [op.payload for op in pending_ops(conn, 1_000_000)]


def feedback(case_no: str, kind: str = "opinion_given", **data: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "opinion_given": {"kind": "handled", "text": "已按规定办理"},
        "complainant_informed": {"channel": "phone"},
        "unit_returned": {"reason": "不属于本单位职责"},
    }.get(kind, {})
    return {
        "op_id": str(uuid.uuid4()),
        "case_no": case_no,
        "type": kind,
        "at": data.pop("at", "2026-11-24T15:00:00+08:00"),
        "by": data.pop("by", "李科长"),
        "data": {**defaults, **data},
    }


def rgb_pixels(image: Image.Image) -> Iterator[tuple[int, int, int]]:
    """The (r, g, b) of every pixel of an RGB image, read from its bytes (``getdata`` is
    going away in Pillow 14)."""
    data = image.tobytes()
    for offset in range(0, len(data), 3):
        yield data[offset], data[offset + 1], data[offset + 2]


def without_form_secrets(html: str) -> str:
    """A page without its hidden inputs' values: a CSRF token is random text, and a run of its
    digits can read as a phone number to the leak check."""
    return re.sub(r'(<input type="hidden" name="[\w-]+" value=")[^"]*"', r'\1"', html)
