from __future__ import annotations

import pytest

from dnw_desk.domain.phone import LineKind, display_phone, validate_phone

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("typed", "e164", "display", "line"),
    [
        ("13800138000", "+8613800138000", "138 0013 8000", LineKind.MOBILE),
        ("138-0013-8000", "+8613800138000", "138 0013 8000", LineKind.MOBILE),
        ("+86 138 0013 8000", "+8613800138000", "138 0013 8000", LineKind.MOBILE),
        ("0086 13800138000", "+8613800138000", "138 0013 8000", LineKind.MOBILE),
        ("１３８００１３８０００", "+8613800138000", "138 0013 8000", LineKind.MOBILE),
        ("010-12345678", "+861012345678", "010-1234 5678", LineKind.LANDLINE),
        ("(0551) 6512 3456", "+8655165123456", "0551-6512 3456", LineKind.LANDLINE),
        ("+852 9123 4567", "+85291234567", "+852 9123 4567", LineKind.MOBILE),
    ],
)
def test_mobiles_and_landlines_are_stored_as_e164(
    typed: str, e164: str, display: str, line: LineKind
) -> None:
    result = validate_phone(typed)
    assert result.valid, result.message
    assert (result.normalized, result.display, result.line) == (e164, display, line)


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("", "phone.empty", "Enter a phone number."),
        (
            "call me",
            "phone.not_a_number",
            "This is not a phone number; use digits, and “+” for an international number.",
        ),
        ("+999 123456", "phone.country_code", "The country code after “+” is not known."),
        (
            "0551-65123456 ext. 12",
            "phone.extension",
            "Extensions cannot be called back; give a direct number without the extension.",
        ),
        ("1380013800", "phone.mobile_length", "A mobile number has 11 digits; this one has 10."),
        ("138001380001", "phone.mobile_length", "A mobile number has 11 digits; this one has 12."),
        (
            "62345678",
            "phone.area_code",
            "A landline number needs its area code, for example 010 or 0551.",
        ),
        ("0123", "phone.too_short", "The phone number is too short."),
        (
            "0551-6123456",
            "phone.invalid",
            "This is not a valid number in mainland China; check the area code and the number "
            "of digits.",
        ),
        (
            "+44 20 7946 09",
            "phone.invalid_abroad",
            "This is not a valid number for its country; check the digits.",
        ),
        (
            "400-810-8888",
            "phone.service_number",
            "Only mobile and landline numbers can be called back; this is a service number "
            "(such as 400 or 800).",
        ),
    ],
)
def test_each_bad_input_has_its_own_message(typed: str, code: str, message: str) -> None:
    result = validate_phone(typed)
    assert result.error is not None
    assert (result.error.code, result.message) == (code, message)
    assert result.display == ""


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+8613812345678", "138 1234 5678"),
        ("+8655162345678", "0551-6234 5678"),
        ("+85291234567", "+852 9123 4567"),
    ],
)
def test_a_stored_number_is_shown_as_dialled_never_as_e164(stored: str, shown: str) -> None:
    assert display_phone(stored) == shown
