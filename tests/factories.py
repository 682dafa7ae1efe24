"""Builders shared by tests: a registration that validates, a desk on a temp data dir."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.domain.registration import (
    Complainant,
    ComplainantKind,
    Matter,
    Registration,
)
from dnw_desk.domain.roles import Actor, Role
from dnw_desk.services.desk import Desk, open_desk

CLERK = Actor("wang", "0815", Role.CLERK)
SHIFT_LEAD = Actor("li", "0801", Role.SHIFT_LEAD)
ADMIN = Actor("admin", "0800", Role.ADMIN)

# A valid resident ID (check character computed): born 1990-03-07, male.
VALID_ID = "110105199003070017"
UNIT = "省公安厅"


def registration(**changes: Any) -> Registration:
    complainant = Complainant(
        kind=ComplainantKind.PERSON,
        name=changes.pop("name", "张三"),
        phone=changes.pop("phone", "13812345678"),
        id_number=changes.pop("id_number", ""),
    )
    matter = Matter(
        category=changes.pop("category", "3"),
        service_item=changes.pop("service_item", "出入境证件办理"),
        lead_unit=changes.pop("lead_unit", UNIT),
        description=changes.pop("description", "多次来办未办成"),
    )
    matter = replace(matter, **changes)
    return Registration(complainant, matter)


def enterprise(name: str = "合肥市某某科技有限公司") -> Complainant:
    """An enterprise complainant with a valid-shaped credit code and a contact person."""
    return Complainant(
        ComplainantKind.ENTERPRISE,
        name,
        "055162345678",
        credit_code="91340100MA2NXXXX0A",
        contact_person="李四",
    )


def desk_at(data_dir: Path, start: datetime | None = None) -> tuple[Desk, FakeClock]:
    clock = FakeClock(start or datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    return open_desk(data_dir, clock), clock


def register(desk: Desk, **changes: Any):  # type: ignore[no-untyped-def]
    return desk.cases.register(
        registration(**changes),
        CLERK,
        categories=desk.settings.categories,
        units=desk.settings.units,
    )


TODAY = date(2026, 11, 24)


def register_refused(  # type: ignore[no-untyped-def]
    desk: Desk,
    reason_code: str = "x-hotline",
    reason: str = "宜通过12345热线反映",
    advice: str = "请拨打12345",
):
    """A case recorded as not accepted, filed under its refusal reason as the intake does."""
    return desk.cases.register_not_accepted(
        registration(lead_unit=""),
        CLERK,
        reason_code=reason_code,
        reason=reason,
        advice=advice,
        units=desk.settings.units,
    )


def png_bytes(width: int = 40, height: int = 30, colour: str = "red") -> bytes:
    """A real PNG image (a scanned proof stand-in)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes(text: str = "receipt") -> bytes:
    """A real one-page PDF."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()
