from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from dnw_desk.domain.checks import ValidationError
from dnw_desk.domain.resident_id import (
    PERMIT_CODES,
    PROVINCE_CODES,
    IdKind,
    Sex,
    check_character,
    validate_resident_id,
)

TODAY = date(2026, 11, 24)


pytestmark = pytest.mark.usefixtures("english")


def with_check(first_17: str) -> str:
    return first_17 + check_character(first_17)


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110105 19491231 002X",
        "110105-19491231-002X",
        " 110105\u300019491231\u3000002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_normalises_spacing_width_and_case(typed: str) -> None:
    result = validate_resident_id(typed, today=TODAY)
    assert result.valid
    assert result.normalized == "11010519491231002X"
    assert result.birth_date == date(1949, 12, 31)
    assert result.sex is Sex.FEMALE
    assert result.kind is IdKind.RESIDENT_ID
    assert result.warnings == ()
    assert result.require() == "11010519491231002X"


def test_odd_sequence_digit_is_male() -> None:
    result = validate_resident_id(with_check("34010419850615123"), today=TODAY)
    assert result.sex is Sex.MALE
    assert result.kind.label if result.kind else None


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("", "id.empty", "Enter an ID number."),
        ("   ", "id.empty", "Enter an ID number."),
        (
            "110105194912310A2X",
            "id.character",
            "Character “A” at position 16 is not allowed; an ID number has only digits and a "
            "final X.",
        ),
        (
            "110105/19491231002X",
            "id.character",
            "Character “/” at position 7 is not allowed; an ID number has only digits and a "
            "final X.",
        ),
        (
            "110105491231002",
            "id.first_generation",
            "This is a 15-digit first-generation ID number, which is no longer in use; please "
            "give the 18-digit number.",
        ),
        ("1101051949123100", "id.length", "An ID number has 18 characters; this one has 16."),
        ("11010519491231002XX", "id.length", "An ID number has 18 characters; this one has 19."),
        ("11010549123100X", "id.length", "An ID number has 18 characters; this one has 15."),
        (
            "11010519X91231002X",
            "id.x_not_last",
            "X may only be the last character of an ID number; it is at position 9.",
        ),
        (
            with_check("00010519491231002"),
            "id.province",
            "“00” is not a province code; check the first two digits of the ID number.",
        ),
        (
            with_check("72010519491231002"),
            "id.province",
            "“72” is not a province code; check the first two digits of the ID number.",
        ),
        (
            with_check("91010019900101123"),
            "id.province",
            "“10” is not a province code; check the 2nd and 3rd digits of the permanent "
            "residence ID number.",
        ),
        (
            with_check("11010519490229002"),
            "id.birth_date_invalid",
            "The birth date in the ID number (19490229) is not a real date.",
        ),
        (
            with_check("11010519491301002"),
            "id.birth_date_invalid",
            "The birth date in the ID number (19491301) is not a real date.",
        ),
        (
            with_check("11010500001231002"),
            "id.birth_date_invalid",
            "The birth date in the ID number (00001231) is not a real date.",
        ),
        (
            with_check("11010520261125002"),
            "id.birth_date_future",
            "The birth date in the ID number (2026-11-25) is in the future.",
        ),
        (
            with_check("11010519061123002"),
            "id.birth_date_too_old",
            "The birth date in the ID number (1906-11-23) is more than 120 years ago.",
        ),
        (
            "110105194912310021",
            "id.check",
            "The check character does not match the other 17 characters; please check the "
            "number again.",
        ),
    ],
)
def test_each_bad_input_has_its_own_message(number: str, code: str, message: str) -> None:
    result = validate_resident_id(number, today=TODAY)
    assert not result.valid
    assert result.error is not None
    assert (result.error.code, result.message) == (code, message)
    assert (result.birth_date, result.sex, result.kind) == (None, None, None)
    with pytest.raises(ValidationError) as raised:
        result.require()
    assert raised.value.code == code
    assert str(raised.value) == message


def test_check_message_does_not_reveal_the_expected_character() -> None:
    good = "11010519491231002X"
    result = validate_resident_id(good[:17] + "5", today=TODAY)
    assert "X" not in result.message


@pytest.mark.parametrize(
    ("born", "valid"),
    [
        (TODAY, True),
        (TODAY + timedelta(days=1), False),
        (date(1906, 11, 24), True),  # exactly 120 years
        (date(1906, 11, 23), False),
    ],
)
def test_birth_date_limits(born: date, valid: bool) -> None:
    number = with_check(f"110105{born:%Y%m%d}002")
    assert validate_resident_id(number, today=TODAY).valid is valid


def test_120_years_from_a_leap_day() -> None:
    leap_day = date(2020, 2, 29)  # 1900 had no 29 February: the limit falls back to the 28th
    assert validate_resident_id(with_check("11010519000228002"), today=leap_day).valid
    assert not validate_resident_id(with_check("11010519000227002"), today=leap_day).valid


@pytest.mark.parametrize(
    ("first_17", "kind"),
    [
        ("81000019900101123", IdKind.RESIDENCE_PERMIT),
        ("82000019900101124", IdKind.RESIDENCE_PERMIT),
        ("83000019900101123", IdKind.RESIDENCE_PERMIT),
        ("93115619900101123", IdKind.FOREIGNER_PERMANENT_RESIDENCE),  # Beijing, nationality 156
        ("71000019900101123", IdKind.RESIDENT_ID),
        ("65010219900101123", IdKind.RESIDENT_ID),
    ],
)
def test_document_kinds(first_17: str, kind: IdKind) -> None:
    result = validate_resident_id(with_check(first_17), today=TODAY)
    assert result.valid, result.message
    assert result.kind is kind
    assert result.birth_date == date(1990, 1, 1)


def test_stdnum_rejects_what_we_accept() -> None:
    # The reason docs/rules.md#validation keeps python-stdnum to cross-checks only.
    permit = with_check("81000019900101123")
    assert validate_resident_id(permit, today=TODAY).valid
    assert not ric.is_valid(permit)


@pytest.mark.parametrize(
    ("first_17", "region"),
    [("11000519491231002", "110005"), ("81010019900101123", "810100")],
)
def test_unknown_region_is_a_warning_not_an_error(first_17: str, region: str) -> None:
    result = validate_resident_id(with_check(first_17), today=TODAY)
    assert result.valid
    assert [(w.code, w.message) for w in result.warnings] == [
        (
            "id.region_unknown",
            f"The region code {region} is not a known region; check the first six digits.",
        )
    ]


def test_today_defaults_to_the_hall_date() -> None:
    assert validate_resident_id("11010519491231002X").valid


# -- Properties ------------------------------------------------------------------------------

_earliest = date(TODAY.year - 120, TODAY.month, TODAY.day)
_prefixes = st.sampled_from(sorted(PROVINCE_CODES | PERMIT_CODES))
_foreigner_prefixes = st.sampled_from(sorted(PROVINCE_CODES - {"71"})).map(lambda p: "9" + p)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        head = draw(_prefixes) + draw(st.text("0123456789", min_size=4, max_size=4))
    else:
        head = draw(_foreigner_prefixes) + draw(st.text("0123456789", min_size=3, max_size=3))
    born = draw(st.dates(min_value=_earliest, max_value=TODAY))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    return with_check(f"{head}{born:%Y%m%d}{sequence}")


@given(valid_ids())
def test_generated_ids_are_valid(number: str) -> None:
    result = validate_resident_id(number, today=TODAY)
    assert result.valid, (number, result.message)
    assert result.normalized == number


@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_caught(number: str, position: int, new: str) -> None:
    changed = number[:position] + new + number[position + 1 :]
    if changed != number:
        assert not validate_resident_id(changed, today=TODAY).valid


@given(valid_ids(), st.integers(0, 16))
def test_adjacent_transpositions_are_caught(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2 :]
    if a != b:
        assert not validate_resident_id(swapped, today=TODAY).valid


@given(
    st.sampled_from(["110101", "110105", "310101"]),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 12, 31)),
    st.text("0123456789", min_size=3, max_size=3),
    st.sampled_from("0123456789X"),
)
def test_agrees_with_stdnum_for_mainland_numbers(
    area: str, born: date, sequence: str, last: str
) -> None:
    # stdnum knows these counties for every birth year drawn here, so both must agree.
    number = f"{area}{born:%Y%m%d}{sequence}{last}"
    assert validate_resident_id(number, today=TODAY).valid == ric.is_valid(number)
