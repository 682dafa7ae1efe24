"""Phone numbers of complainants: mobile or landline, stored as E.164, shown in national format.

Complainants without a mobile give a landline, so both are accepted; service numbers (400/800,
short codes) are not, because nobody answers a callback there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType, ValidationResult

from dnw_desk.domain.checks import Check, Issue, compact
from dnw_desk.i18n import _

DEFAULT_REGION = "CN"

_MOBILE_TYPES = {PhoneNumberType.MOBILE}
_LANDLINE_TYPES = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class LineKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True, slots=True)
class PhoneCheck(Check):
    """``normalized`` is E.164 when valid; ``display`` is the national (or, abroad, the
    international) format for screens."""

    display: str = ""
    line: LineKind | None = None


def validate_phone(text: str, *, region: str = DEFAULT_REGION) -> PhoneCheck:
    cleaned = text.strip()
    digits = compact(cleaned).removeprefix("+")
    if not cleaned:
        return PhoneCheck("", Issue("phone.empty", _("Enter a phone number.")))
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            return PhoneCheck(
                cleaned,
                Issue("phone.country_code", _("The country code after “+” is not known.")),
            )
        return PhoneCheck(
            cleaned,
            Issue(
                "phone.not_a_number",
                _("This is not a phone number; use digits, and “+” for an international number."),
            ),
        )
    if number.extension:
        return PhoneCheck(
            cleaned,
            Issue(
                "phone.extension",
                _("Extensions cannot be called back; give a direct number without the extension."),
            ),
        )
    domestic = number.country_code == phonenumbers.country_code_for_region(region)
    if not phonenumbers.is_valid_number(number):
        return PhoneCheck(cleaned, _invalid(number, digits, domestic))
    kind = phonenumbers.number_type(number)
    if kind in _MOBILE_TYPES:
        line = LineKind.MOBILE
    elif kind in _LANDLINE_TYPES:
        line = LineKind.LANDLINE
    else:
        return PhoneCheck(
            cleaned,
            Issue(
                "phone.service_number",
                _(
                    "Only mobile and landline numbers can be called back; this is a service "
                    "number (such as 400 or 800)."
                ),
            ),
        )
    return PhoneCheck(
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        display=_display(number, domestic, line),
        line=line,
    )


def _display(number: phonenumbers.PhoneNumber, domestic: bool, line: LineKind) -> str:
    """138 1234 5678; a landline as written in China, area code first: 0551-6234 5678."""
    if not domestic:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return national.replace(" ", "-", 1) if line is LineKind.LANDLINE else national


def display_phone(stored: str, *, region: str = DEFAULT_REGION) -> str:
    """A stored (E.164) number as a clerk dials it; the stored text when it does not parse."""
    check = validate_phone(stored, region=region)
    return check.display or stored


def _invalid(number: phonenumbers.PhoneNumber, digits: str, domestic: bool) -> Issue:
    national = str(number.national_number)
    # Mobile numbers start 13–19; 10 is Beijing's area code and 12x are service numbers.
    if domestic and "13" <= national[:2] <= "19" and len(national) != 11:
        return Issue(
            "phone.mobile_length",
            _("A mobile number has 11 digits; this one has {count}.").format(count=len(national)),
        )
    reason = phonenumbers.is_possible_number_with_reason(number)
    # Local numbers never start with 0 or 1; seven or eight digits without a trunk 0 are a
    # landline typed without its area code.
    if domestic and len(digits) in (7, 8) and digits[0] not in "01":
        return Issue(
            "phone.area_code",
            _("A landline number needs its area code, for example 010 or 0551."),
        )
    if reason == ValidationResult.TOO_SHORT:
        return Issue("phone.too_short", _("The phone number is too short."))
    if reason == ValidationResult.TOO_LONG:
        return Issue("phone.too_long", _("The phone number is too long."))
    if domestic:
        return Issue(
            "phone.invalid",
            _(
                "This is not a valid number in mainland China; check the area code and the "
                "number of digits."
            ),
        )
    return Issue(
        "phone.invalid_abroad",
        _("This is not a valid number for its country; check the digits."),
    )
