from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from dnw_desk.domain.credit_code import (
    ALPHABET,
    AUTHORITY_CODES,
    check_character,
    validate_credit_code,
)

REAL = "91110000600037341L"  # from python-stdnum's documentation


pytestmark = pytest.mark.usefixtures("english")


def with_check(first_17: str) -> str:
    return first_17 + check_character(first_17)


@pytest.mark.parametrize(
    "typed",
    [
        REAL,
        "91110000600037341l",
        " 9111 0000 6000 3734 1L ",
        "911100-00600037341L",
        "９１１１００００６０００３７３４１Ｌ",
    ],
)
def test_normalises(typed: str) -> None:
    result = validate_credit_code(typed)
    assert result.valid, result.message
    assert result.normalized == REAL


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_newer_registration_authorities_are_accepted(authority: str) -> None:
    code = with_check(authority + "1110000600037341")
    assert validate_credit_code(code).valid
    assert not uscc.is_valid(code)  # python-stdnum predates them


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("", "uscc.empty", "Enter the unified social credit code."),
        (
            "9111000060003734OL",
            "uscc.letter_not_used",
            "Letter “O” at position 17 is never used in a credit code (I, O, S, V and Z are "
            "left out); check this character.",
        ),
        (
            "91110000600037S41L",
            "uscc.letter_not_used",
            "Letter “S” at position 15 is never used in a credit code (I, O, S, V and Z are "
            "left out); check this character.",
        ),
        (
            "9111000060003734_L",
            "uscc.character",
            "Character “_” at position 17 is not allowed in a credit code; it has only digits "
            "and capital letters.",
        ),
        ("91110000600037341", "uscc.length", "A credit code has 18 characters; this one has 17."),
        (
            "110108000000016",
            "uscc.old_registration_number",
            "This looks like a 15-digit business registration number from before 2015; please "
            "give the 18-character unified social credit code.",
        ),
        (
            with_check("B1110000600037341"),
            "uscc.authority",
            "The first character “B” is not a registration authority code (1–9, A, N or Y).",
        ),
        (
            with_check("01110000600037341"),
            "uscc.authority",
            "The first character “0” is not a registration authority code (1–9, A, N or Y).",
        ),
        (
            with_check("9A110000600037341"),
            "uscc.not_digit",
            "Character 2 of a credit code must be a digit (characters 2 to 8 are the kind of "
            "organisation and the region code).",
        ),
        (
            "91110000600037341M",
            "uscc.check",
            "The check character does not match the other 17 characters; please check the "
            "code again.",
        ),
    ],
)
def test_each_bad_input_has_its_own_message(code: str, error: str, message: str) -> None:
    result = validate_credit_code(code)
    assert result.error is not None
    assert (result.error.code, result.message) == (error, message)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(AUTHORITY_CODES)))
    kind_and_region = draw(st.text("0123456789", min_size=7, max_size=7))
    organisation = draw(st.text(ALPHABET, min_size=9, max_size=9))
    return with_check(authority + kind_and_region + organisation)


@given(valid_codes())
def test_generated_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code).valid


@given(valid_codes(), st.integers(0, 17), st.sampled_from(ALPHABET))
def test_any_single_character_change_is_caught(code: str, position: int, new: str) -> None:
    changed = code[:position] + new + code[position + 1 :]
    if changed != code:
        assert not validate_credit_code(changed).valid


@given(valid_codes(), st.integers(0, 16))
def test_adjacent_transpositions_are_caught(code: str, position: int) -> None:
    a, b = code[position], code[position + 1]
    if a != b:
        swapped = code[:position] + b + a + code[position + 2 :]
        assert not validate_credit_code(swapped).valid


@given(valid_codes().filter(lambda c: c[0].isdigit()))
def test_agrees_with_stdnum_where_stdnum_knows_the_authority(code: str) -> None:
    assert uscc.is_valid(code)
    broken = code[:17] + ALPHABET[(ALPHABET.index(code[17]) + 1) % 31]
    assert not uscc.is_valid(broken)
    assert not validate_credit_code(broken).valid
