"""What a receipt, a not-accepted slip and a test page need: plain frozen data, no Qt.

The services build these from a saved case; the printing package lays them out. Values are the
full personal data: masking happens in the layout, so no caller can forget it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, urlencode

from dnw_desk.i18n import DEFAULT_LANGUAGE

DEFAULT_HOTLINE = "12345"


class DocumentKind(enum.StrEnum):
    RECEIPT = "receipt"
    REPRINT = "reprint"
    SLIP = "slip"
    TEST = "test"


class PaperWidth(enum.IntEnum):
    """Paper roll width in millimetres."""

    MM58 = 58
    MM80 = 80


@dataclass(frozen=True)
class ReceiptData:
    """A 受理回执. ``copy_number`` 1 is the original; 2 and up print as 补打 (reprint)."""

    hall_name: str
    window_no: str
    case_number: str
    verification_code: str
    status_url_base: str
    registered_at: datetime
    clerk_number: str
    complainant_name: str
    phone: str
    category_label: str
    service_item: str
    responsible_unit: str
    deadline: datetime | None
    deadline_provisional: bool = False
    id_number: str | None = None
    complainant_kind: str = "person"  # an enterprise's name is not masked
    copy_number: int = 1
    language: str = DEFAULT_LANGUAGE
    hotline: str = DEFAULT_HOTLINE

    def __post_init__(self) -> None:
        if self.copy_number < 1:
            raise ValueError("copy_number starts at 1 (the original)")
        for moment in (self.registered_at, self.deadline):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("receipt times must be timezone-aware")

    @property
    def is_reprint(self) -> bool:
        return self.copy_number > 1

    @property
    def status_url(self) -> str:
        return status_url(self.status_url_base, self.case_number, self.verification_code)


@dataclass(frozen=True)
class NotAcceptedSlipData:
    """A 一次性告知单: why the matter was not accepted and where to go instead."""

    hall_name: str
    window_no: str
    case_number: str
    registered_at: datetime
    clerk_number: str
    complainant_name: str
    service_item: str
    reason: str
    advice: str
    phone: str | None = None
    complainant_kind: str = "person"
    language: str = DEFAULT_LANGUAGE
    hotline: str = DEFAULT_HOTLINE

    def __post_init__(self) -> None:
        if self.registered_at.tzinfo is None:
            raise ValueError("slip times must be timezone-aware")


@dataclass(frozen=True)
class TestPageData:
    """The printer test page: what is configured, plus characters that are known to go wrong."""

    printer_uri: str
    profile_name: str
    printed_at: datetime
    hall_name: str = ""
    window_no: str = ""
    language: str = DEFAULT_LANGUAGE
    extra_lines: tuple[str, ...] = field(default_factory=tuple)


def status_url(base: str, case_number: str, verification_code: str) -> str:
    """The public status page for a case: number and verification code only, no personal data."""
    base = base.rstrip("/")
    query = urlencode({"code": verification_code})
    return f"{base}/status/{quote(case_number, safe='')}?{query}"
