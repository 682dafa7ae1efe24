"""The intake form's fields, declared once (``FIELDS``, ``LAYOUT``), and its input helpers: dates
typed as text, field rows with their messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtWidgets import QLabel, QWidget

from dnw_desk.domain.checks import Check
from dnw_desk.domain.registration import ComplainantKind, Evidence
from dnw_desk.domain.registration import split_units as split_units  # the intake form's
from dnw_desk.domain.validation import (
    validate_credit_code,
    validate_name,
    validate_phone,
    validate_resident_id,
)
from dnw_desk.i18n import N_, _
from dnw_desk.ui.widgets import error_label, mark_invalid, show_error, vbox

if TYPE_CHECKING:
    from dnw_desk.ui.intake.form import IntakeForm

_DATE = re.compile(r"^\s*(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D*\s*$")
_DATE_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


class DateParseError(ValueError):
    pass


def parse_date(text: str) -> date | None:
    """``2026-11-20``, ``2026/11/20``, ``2026.11.20``, ``20261120`` or ``2026年11月20日``;
    None for an empty field."""
    text = text.strip()
    if not text:
        return None
    compact = text.replace("年", "-").replace("月", "-").replace("日", "")
    match = _DATE.match(compact) or (
        re.match(r"^(\d{4})(\d{2})(\d{2})$", compact) if compact.isdigit() else None
    )
    if match is None:
        raise DateParseError(_("Type the date as YYYY-MM-DD, e.g. 2026-11-20."))
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise DateParseError(_("“{text}” is not a valid date.").format(text=text)) from None


def parse_date_list(text: str) -> tuple[date, ...]:
    days = []
    for part in _DATE_LIST_SEPARATORS.split(text.strip()):
        if part:
            day = parse_date(part)
            if day is not None:
                days.append(day)
    return tuple(days)


class FieldRow:
    """One input, the message under it, and an optional hint (e.g. birth date from the ID)."""

    def __init__(self, editor: QWidget, hint: QLabel | None = None) -> None:
        self.editor = editor
        self.error = error_label()
        self.hint = hint
        self.touched = False  # the clerk has left the field once: show its problems now
        self.container = QWidget()
        items: list[object] = [editor, self.error]
        if hint is not None:
            items.append(hint)
        self.container.setLayout(vbox(*items, spacing=2))

    def set_error(self, message: str) -> None:
        show_error(self.error, message)
        mark_invalid(self.editor, bool(message))

    @property
    def message(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""

    def setVisible(self, visible: bool) -> None:
        self.container.setVisible(visible)


def _text(text: str) -> str:
    return text


def _stripped(text: str) -> str:
    return text.strip()


@dataclass(frozen=True)
class IntakeField:
    """A typed field of the form, declared once: its box, label and placeholder, when it shows,
    how it is checked as the clerk types, and what it gives the registration (the attribute of
    the same name of ``Complainant`` or ``Matter``)."""

    name: str
    label: str  # msgid
    placeholder: str  # msgid
    part: Literal["complainant", "matter"]
    long: bool = False  # several lines (Enter writes a new line, Tab moves on)
    kind: ComplainantKind | None = None  # shown for this kind of complainant only
    evidence: Evidence | None = None  # shown when the category asks for this evidence
    # The live check of a non-empty value (the form gives the complainant kind and today).
    check: Callable[[str, IntakeForm], Check] | None = None
    complete_length: int | None = None  # this long, it is complete: its problems show at once
    read: Callable[[str], Any] = _text  # the text as the registration's value
    empty: Any = ""  # the registration's value while the field is hidden
    enterprise_label: str = ""  # msgid, when it reads differently for an enterprise
    enterprise_placeholder: str = ""


FIELDS: tuple[IntakeField, ...] = (
    IntakeField(
        "name",
        N_("Name"),
        N_("Full name as on the ID card"),
        "complainant",
        check=lambda text, form: validate_name(text, enterprise=form.enterprise),
        enterprise_label=N_("Enterprise name"),
        enterprise_placeholder=N_("Registered name of the enterprise"),
    ),
    IntakeField(
        "id_number",
        N_("ID number"),
        N_("18 characters; optional"),
        "complainant",
        kind=ComplainantKind.PERSON,
        check=lambda text, form: validate_resident_id(text, today=form.today()),
        complete_length=18,
    ),
    IntakeField(
        "credit_code",
        N_("Credit code"),
        N_("Unified social credit code, 18 characters"),
        "complainant",
        kind=ComplainantKind.ENTERPRISE,
        check=lambda text, _form: validate_credit_code(text),
        complete_length=18,
    ),
    IntakeField(
        "contact_person",
        N_("Contact person"),
        N_("Who speaks for the enterprise"),
        "complainant",
        kind=ComplainantKind.ENTERPRISE,
        check=lambda text, _form: validate_name(text),
    ),
    IntakeField(
        "phone",
        N_("Phone"),
        N_("Mobile or landline, e.g. 138 1234 5678"),
        "complainant",
        check=lambda text, _form: validate_phone(text),
    ),
    IntakeField(
        "application_no",
        N_("Application no."),
        N_("Number of the original application"),
        "matter",
        evidence=Evidence.APPLICATION,
    ),
    IntakeField(
        "application_date",
        N_("Applied on"),
        N_("YYYY-MM-DD"),
        "matter",
        evidence=Evidence.APPLICATION,
        read=parse_date,
        empty=None,
    ),
    IntakeField(
        "earlier_visits",
        N_("Earlier visits"),
        N_("Dates of earlier visits, e.g. 2026-11-03, 2026-11-17"),
        "matter",
        evidence=Evidence.EARLIER_VISITS,
        read=parse_date_list,
        empty=(),
    ),
    IntakeField(
        "ysj_place",
        N_("Where (沪苏浙)"),
        N_("e.g. 上海市浦东新区"),
        "matter",
        evidence=Evidence.YSJ_REFERENCE,
    ),
    IntakeField(
        "ysj_item",
        N_("Item there"),
        N_("Name of the service there"),
        "matter",
        evidence=Evidence.YSJ_REFERENCE,
    ),
    IntakeField(
        "service_item", N_("Service item"), N_("The service the complainant applied for"), "matter"
    ),
    IntakeField(
        "service_code", N_("Item code"), N_("Item code, if known"), "matter", read=_stripped
    ),
    IntakeField(
        "lead_unit",
        N_("Responsible unit"),
        N_("Type to search the hall's units"),
        "matter",
        read=_stripped,
    ),
    IntakeField(
        "co_units",
        N_("Co-units"),
        N_("Other units, separated by commas; optional"),
        "matter",
        read=split_units,
        empty=(),
    ),
    IntakeField(
        "description",
        N_("Description"),
        N_("What happened, in the complainant's words"),
        "matter",
        long=True,
    ),
    IntakeField(
        "request",
        N_("Request (诉求)"),
        N_("What the complainant asks for (诉求)"),
        "matter",
        long=True,
    ),
)
FIELD = {field.name: field for field in FIELDS}
TEXT_FIELDS = tuple(f.name for f in FIELDS if not f.long)
LONG_TEXT_FIELDS = tuple(f.name for f in FIELDS if f.long)

# The form's boxes, each top to bottom; this is also the tab order. A name of ``FIELDS``, or one
# of the form's own controls (``CONTROLS``: the choices, the consent box, the category's hint).
LAYOUT: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        N_("Complainant"),
        (
            "kind",
            "name",
            "id_number",
            "credit_code",
            "contact_person",
            "phone",
            "consent",
            "consent_sms",
        ),
    ),
    (
        N_("Category"),
        (
            "category",
            "category_hint",
            "application_no",
            "application_date",
            "earlier_visits",
            "ysj_place",
            "ysj_item",
        ),
    ),
    (
        N_("Matter"),
        (
            "service_item",
            "service_code",
            "lead_unit",
            "co_units",
            "channel",
            "description",
            "request",
        ),
    ),
)
# The controls' labels (msgids; "" for none). The hint is read, not typed: not in the tab order.
CONTROLS = {
    "kind": N_("Type"),
    "consent": "",
    "consent_sms": "",
    "category": N_("Category"),
    "category_hint": "",
    "channel": N_("Channel"),
}
NOT_TABBED = frozenset({"category_hint"})
