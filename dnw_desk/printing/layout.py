"""One device-independent layout for receipts, reprints, slips and the test page.

A layout is a list of blocks (text, label/value fields, rules, a QR code). The raster, text-mode
and PDF renderers break its lines with one planner (``printing.flow``) over their own measure
function, then position and draw them. Personal data is masked here,
once, so no renderer can print it in full.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from dnw_desk.clock import to_hall_time
from dnw_desk.domain.masking import mask_complainant_name, mask_id_number, mask_phone
from dnw_desk.i18n import N_, translate_in
from dnw_desk.printing.model import (
    DocumentKind,
    NotAcceptedSlipData,
    ReceiptData,
    TestPageData,
)


class Style(enum.StrEnum):
    TITLE = "title"  # hall name, document title
    HEADING = "heading"
    BODY = "body"
    SMALL = "small"
    CASE_NUMBER = "case_number"  # large, shrunk to fit the paper


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Text:
    text: str
    style: Style = Style.BODY
    align: Align = Align.LEFT
    bold: bool = False


@dataclass(frozen=True)
class Field:
    """``label：value`` with the value wrapping under itself (hanging indent)."""

    label: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    dashed: bool = True


@dataclass(frozen=True)
class QrCode:
    payload: str


@dataclass(frozen=True)
class Gap:
    lines: float = 0.5


Block = Text | Field | Rule | QrCode | Gap


@dataclass(frozen=True)
class Layout:
    kind: DocumentKind
    language: str
    blocks: tuple[Block, ...]
    # Text drawn from user input (names, units): checked for glyph coverage before printing.
    user_text: tuple[str, ...] = ()

    def plain_text(self) -> str:
        """Everything the document says, one block per line (for tests and logs-free checks)."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Text):
                parts.append(block.text)
            elif isinstance(block, Field):
                parts.append(f"{block.label}{block.value}")
            elif isinstance(block, QrCode):
                parts.append(block.payload)
        return "\n".join(parts)


PRIVACY_NOTE = N_(
    "Privacy: personal details on this receipt are partly hidden. Keep it safe; the case "
    "number and verification code let anyone see the progress of this case."
)
LOOKUP_HOW = N_(
    "Scan the QR code above, or call the {hotline} hotline with the case number and the "
    "verification code."
)
SLIP_PRIVACY_NOTE = N_("Privacy: personal details on this notification are partly hidden.")
PROMISE = N_(
    "The responsible unit will report the result or a handling opinion to you and to this "
    "window by {deadline}."
)
PROMISE_PROVISIONAL = N_(
    "This deadline is provisional: it was computed before the official holiday calendar for "
    "that date was published, and may move if the holidays change."
)
PROMISE_UNKNOWN = N_(
    "The responsible unit will report the result or a handling opinion to you within one "
    "working day after the case is referred."
)


def format_moment(moment: datetime, language: str, compact: bool = False) -> str:
    local = to_hall_time(moment)
    if language.startswith("zh") and not compact:
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def _header(hall_name: str, window_no: str, title: str, language: str) -> list[Block]:
    tr = translate_in
    window = tr(language, "Window {window_no}").format(window_no=window_no)
    return [
        Text(hall_name, Style.TITLE, Align.CENTER, bold=True),
        Text(
            tr(language, "“Could not get it done” complaint window · {window}").format(
                window=window
            ),
            Style.SMALL,
            Align.CENTER,
        ),
        Gap(0.3),
        Text(title, Style.HEADING, Align.CENTER, bold=True),
    ]


def receipt_layout(data: ReceiptData) -> Layout:
    lang = data.language
    tr = translate_in
    kind = DocumentKind.REPRINT if data.is_reprint else DocumentKind.RECEIPT
    blocks = _header(data.hall_name, data.window_no, tr(lang, "Acknowledgement receipt"), lang)
    if data.is_reprint:
        blocks.append(
            Text(
                tr(lang, "REPRINT · copy {copy}").format(copy=data.copy_number),
                Style.BODY,
                Align.CENTER,
                bold=True,
            )
        )
    blocks += [
        Rule(dashed=False),
        Text(tr(lang, "Case number"), Style.SMALL, Align.CENTER),
        Text(data.case_number, Style.CASE_NUMBER, Align.CENTER, bold=True),
        QrCode(data.status_url),
        Text(tr(lang, "Scan to follow the progress"), Style.SMALL, Align.CENTER),
        Rule(),
        Field(tr(lang, "Registered: "), format_moment(data.registered_at, lang, compact=True)),
        Field(tr(lang, "Clerk no.: "), data.clerk_number),
        Field(
            tr(lang, "Complainant: "),
            mask_complainant_name(data.complainant_kind, data.complainant_name),
        ),
        Field(tr(lang, "Phone: "), mask_phone(data.phone)),
    ]
    if data.id_number:
        blocks.append(Field(tr(lang, "ID number: "), mask_id_number(data.id_number)))
    blocks += [
        Field(tr(lang, "Category: "), data.category_label),
        Field(tr(lang, "Service item: "), data.service_item),
        Field(tr(lang, "Responsible unit: "), data.responsible_unit),
        Rule(),
    ]
    if data.deadline is not None:
        deadline = format_moment(data.deadline, lang)
        blocks.append(Text(tr(lang, PROMISE).format(deadline=deadline), bold=True))
        if data.deadline_provisional:
            blocks.append(Text(tr(lang, PROMISE_PROVISIONAL), Style.SMALL))
    else:
        blocks.append(Text(tr(lang, PROMISE_UNKNOWN), bold=True))
    blocks += [
        Rule(),
        Field(tr(lang, "Verification code: "), data.verification_code, bold=True),
        Text(tr(lang, LOOKUP_HOW).format(hotline=data.hotline), Style.SMALL),
        Gap(0.3),
        Text(tr(lang, PRIVACY_NOTE), Style.SMALL),
    ]
    user_text = (
        data.hall_name,
        mask_complainant_name(data.complainant_kind, data.complainant_name),
        data.category_label,
        data.service_item,
        data.responsible_unit,
    )
    return Layout(kind, lang, tuple(blocks), user_text)


def slip_layout(data: NotAcceptedSlipData) -> Layout:
    lang = data.language
    tr = translate_in
    blocks = _header(data.hall_name, data.window_no, tr(lang, "One-time notification"), lang)
    blocks += [
        Rule(dashed=False),
        Field(tr(lang, "Number: "), data.case_number, bold=True),
        Field(tr(lang, "Registered: "), format_moment(data.registered_at, lang, compact=True)),
        Field(tr(lang, "Clerk no.: "), data.clerk_number),
        Field(
            tr(lang, "Complainant: "),
            mask_complainant_name(data.complainant_kind, data.complainant_name),
        ),
    ]
    if data.phone:
        blocks.append(Field(tr(lang, "Phone: "), mask_phone(data.phone)))
    blocks += [
        Field(tr(lang, "Matter: "), data.service_item),
        Rule(),
        Text(tr(lang, "Why this window cannot accept it"), Style.BODY, bold=True),
        Text(data.reason),
        Gap(0.3),
        Text(tr(lang, "Where to go instead"), Style.BODY, bold=True),
        Text(data.advice),
        Rule(),
        Text(
            tr(lang, "Questions: call the {hotline} hotline.").format(hotline=data.hotline),
            Style.SMALL,
        ),
        Text(tr(lang, SLIP_PRIVACY_NOTE), Style.SMALL),
    ]
    user_text = (
        data.hall_name,
        mask_complainant_name(data.complainant_kind, data.complainant_name),
        data.service_item,
        data.reason,
        data.advice,
    )
    return Layout(DocumentKind.SLIP, lang, tuple(blocks), user_text)


# Characters that printers and fonts get wrong: full-width punctuation, both yen signs, a
# name outside the BMP, a name with the middle dot.
TEST_PUNCTUATION = "，。、；：？！“”‘’（）【】《》——……"
TEST_SYMBOLS = "¥ ￥ € ℃ № ①②③ 0123456789 ABCxyz"
TEST_NAMES = "𠮷田 买买提·艾力 欧阳娜娜"


def test_page_layout(data: TestPageData) -> Layout:
    lang = data.language
    tr = translate_in
    title = tr(lang, "Printer test page")
    hall = data.hall_name or "dnw-desk"
    blocks: list[Block] = [
        Text(hall, Style.TITLE, Align.CENTER, bold=True),
        Text(title, Style.HEADING, Align.CENTER, bold=True),
        Rule(dashed=False),
        Field(tr(lang, "Printer: "), data.printer_uri),
        Field(tr(lang, "Profile: "), data.profile_name),
        Field(tr(lang, "Printed: "), format_moment(data.printed_at, lang, compact=True)),
    ]
    if data.window_no:
        blocks.append(Field(tr(lang, "Window: "), data.window_no))
    blocks += [
        Rule(),
        Text(TEST_PUNCTUATION),
        Text(TEST_SYMBOLS),
        Text(TEST_NAMES),
        Text("1234567890" * 6, Style.SMALL),
        Rule(),
        QrCode("https://example.invalid/status/TEST?code=TEST"),
        Text(tr(lang, "If the QR code scans, the printer works."), Style.SMALL, Align.CENTER),
    ]
    blocks += [Text(line, Style.SMALL) for line in data.extra_lines]
    return Layout(DocumentKind.TEST, lang, tuple(blocks), (TEST_NAMES,))
