from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.numbering import (
    CHECK_ALPHABET,
    VERIFICATION_ALPHABET,
    VERIFICATION_LENGTH,
    CaseNumber,
    CaseNumberError,
    check_letter,
    format_case_number,
    new_verification_code,
    normalize_hall_code,
    normalize_window,
    parse_case_number,
    verification_codes_match,
)

DAY = date(2026, 11, 24)


pytestmark = pytest.mark.usefixtures("english")


def test_format_and_parse_round_trip() -> None:
    text = format_case_number("AH", 8, DAY, 7)
    assert text.startswith("AH08-20261124-0007")
    assert text[-1] in CHECK_ALPHABET
    assert parse_case_number(text) == CaseNumber("AH", 8, DAY, 7)
    assert str(parse_case_number(text)) == text


def test_check_letter_is_stable() -> None:
    # Printed receipts must stay valid forever: pin the algorithm.
    assert format_case_number("AH", 8, DAY, 7) == "AH08-20261124-0007R"
    assert format_case_number("QD", 12, date(2027, 1, 4), 123) == "QD12-20270104-0123" + (
        check_letter("QD012202701040123")
    )


@pytest.mark.parametrize(
    ("hall", "window", "normalised"),
    [("ah", 8, "AH08"), ("ＡＨ", "008", "AH08"), ("GZPY", 123, "GZPY123"), ("A1B", "3", "A1B03")],
)
def test_hall_and_window_are_normalised(hall: str, window: int | str, normalised: str) -> None:
    assert format_case_number(hall, window, DAY, 1).startswith(normalised + "-")


@pytest.mark.parametrize(
    "typed",
    [
        "ah08-20261124-0007r",
        " AH08 20261124 0007R ",
        "AH0820261124 0007R",
        "ＡＨ０８－２０２６１１２４－０００７Ｒ",
        "AH8-20261124-0007R",
        "AH008-20261124-0007R",
    ],
)
def test_parse_accepts_how_people_type(typed: str) -> None:
    assert parse_case_number(typed) == CaseNumber("AH", 8, DAY, 7)


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("", "case_number.empty", "Enter a case number."),
        (
            "AH08/20261124-0007A",
            "case_number.character",
            "Character “/” at position 5 cannot be part of a case number.",
        ),
        (
            "AH08-20261124-0007",
            "case_number.no_check",
            "The case number ends with a check letter, as in AH08-20261124-0007K; it is missing.",
        ),
        (
            "08-20261124-0007A",
            "case_number.shape",
            "A case number looks like AH08-20261124-0007K: hall and window, date, serial.",
        ),
        (
            "ABCDEFG08-20261124-0007A",
            "case_number.shape",
            "A case number looks like AH08-20261124-0007K: hall and window, date, serial.",
        ),
        (
            "AH08-2026112-0007A",
            "case_number.date_length",
            "The date in a case number has 8 digits (YYYYMMDD); “2026112” does not.",
        ),
        (
            "AH08-20261124-007A",
            "case_number.serial_length",
            "The last part of a case number is a 4-digit serial and a check letter; “007A” does "
            "not fit.",
        ),
        (
            "AH0820261124000007A",
            "case_number.digits",
            "After the hall code a case number has the window (1–3 digits), the date (8 digits) "
            "and the serial (4 digits); “0820261124000007” does not fit.",
        ),
        (
            "AH08-20261131-0007A",
            "case_number.date",
            "The date in the case number (20261131) is not a real date.",
        ),
        (
            "AH08-19991124-0007A",
            "case_number.year",
            "The date in the case number (19991124) is not in 2000–2099.",
        ),
        (
            "AH08-20261124-0000A",
            "case_number.zero",
            "Window and serial numbers start at 1; this case number has a zero.",
        ),
        (
            "AH08-20261124-0007O",
            "case_number.check_letter",
            "“O” is never used as a check letter (I, O and Q are left out).",
        ),
        (
            "AH08-20261124-0007B",
            "case_number.check",
            "The check letter does not match; the case number was probably mistyped.",
        ),
    ],
)
def test_each_malformed_number_has_its_own_message(typed: str, code: str, message: str) -> None:
    with pytest.raises(CaseNumberError) as raised:
        parse_case_number(typed)
    assert (raised.value.code, str(raised.value)) == (code, message)
    assert isinstance(raised.value, DomainError)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: normalize_hall_code("A"), "case_number.hall"),
        (lambda: normalize_hall_code("ABCDEFG"), "case_number.hall"),
        (lambda: normalize_hall_code("AH1"), "case_number.hall"),  # window digits would merge
        (lambda: normalize_hall_code("A-H"), None),
        (lambda: normalize_window(0), "case_number.window"),
        (lambda: normalize_window("1000"), "case_number.window"),
        (lambda: normalize_window("八"), "case_number.window"),
        (lambda: format_case_number("AH", 8, DAY, 0), "case_number.serial_range"),
        (lambda: format_case_number("AH", 8, DAY, 10000), "case_number.serial_range"),
        (lambda: format_case_number("AH", 8, date(1999, 12, 31), 1), "case_number.year"),
    ],
)
def test_format_rejects_bad_parts(call: object, code: str | None) -> None:
    assert callable(call)
    if code is None:
        call()  # separators are folded away like everywhere else
        return
    with pytest.raises(CaseNumberError) as raised:
        call()
    assert raised.value.code == code


halls = st.from_regex(r"[A-Z][A-Z0-9]{0,4}[A-Z]", fullmatch=True)
numbers = st.builds(
    CaseNumber,
    hall=halls,
    window=st.integers(1, 999),
    day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    serial=st.integers(1, 9999),
)


@given(numbers)
def test_generated_numbers_round_trip(number: CaseNumber) -> None:
    text = format_case_number(number.hall, number.window, number.day, number.serial)
    assert parse_case_number(text) == number
    assert parse_case_number(text.lower().replace("-", " ")) == number


@given(numbers, st.data())
def test_single_digit_typos_are_caught(number: CaseNumber, data: st.DataObject) -> None:
    text = str(number)
    digit_positions = [i for i, c in enumerate(text) if c.isdigit() and i >= len(number.hall)]
    position = data.draw(st.sampled_from(digit_positions))
    new = data.draw(st.sampled_from("0123456789").filter(lambda d: d != text[position]))
    typo = text[:position] + new + text[position + 1 :]
    with pytest.raises(CaseNumberError):
        parse_case_number(typo)


@given(numbers, st.data())
def test_adjacent_digit_swaps_are_caught(number: CaseNumber, data: st.DataObject) -> None:
    body = number.body
    start = len(number.hall)
    pairs = [i for i in range(start, len(body) - 1) if body[i] != body[i + 1]]
    if not pairs:
        return
    i = data.draw(st.sampled_from(pairs))
    swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
    assert check_letter(swapped) != check_letter(body)


def test_window_typo_that_drops_a_digit_is_caught() -> None:
    text = format_case_number("AB", 105, DAY, 1)
    with pytest.raises(CaseNumberError):
        parse_case_number("AB005" + text[5:])


@given(numbers, st.sampled_from(CHECK_ALPHABET))
def test_a_wrong_check_letter_is_caught(number: CaseNumber, letter: str) -> None:
    text = str(number)
    if letter != text[-1]:
        with pytest.raises(CaseNumberError):
            parse_case_number(text[:-1] + letter)


def test_verification_codes() -> None:
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) > 190
    for code in codes:
        assert len(code) == VERIFICATION_LENGTH
        assert set(code) <= set(VERIFICATION_ALPHABET)
        assert not set(code) & set("01OIL")
    code = codes.pop()
    assert verification_codes_match(code, f" {code.lower()} ")
    assert not verification_codes_match(code, code[:-1])
    assert not verification_codes_match(code, "")
