from __future__ import annotations

import pytest

from dnw_desk.domain.names import (
    ENTERPRISE_NAME_MAX,
    PERSON_NAME_MAX,
    validate_enterprise_name,
    validate_name,
    validate_person_name,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    "name",
    [
        "张三",
        "𠮷田",  # outside the BMP
        "买买提·艾力",
        "阿卜杜勒·克里木·热合曼",
        "O'Brien",
        "<script>alert(1)</script>",  # stored literally; rendering is plain text
        "Robert'); DROP TABLE cases;--",
        "\U00031350",  # CJK extension H: unassigned in this Python's tables, still a name
        "\ue000",  # a rare character from a private-use font
        "می\u200cخواهم",  # a zero-width non-joiner shapes Persian
    ],
)
def test_any_script_is_kept_literally(name: str) -> None:
    result = validate_person_name(f"  {name}\u3000")
    assert result.valid, result.message
    assert result.normalized == name


def test_limits_count_code_points() -> None:
    assert validate_person_name("𠮷" * PERSON_NAME_MAX).valid
    assert validate_enterprise_name("企" * ENTERPRISE_NAME_MAX).valid
    assert validate_name("企" * 31, enterprise=True).valid
    assert not validate_name("企" * 31).valid


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("", "name.empty", "Enter a name."),
        (" \u3000\t", "name.empty", "Enter a name."),
        ("张\n三", "name.control", "The name contains a control character at position 2."),
        ("张\x00三", "name.control", "The name contains a control character at position 2."),
        ("张\u2028三", "name.control", "The name contains a control character at position 2."),
        ("张\ud842三", "name.control", "The name contains a control character at position 2."),
        (
            "张\u202e三",
            "name.invisible",
            "The name contains an invisible formatting character (U+202E) at position 2.",
        ),
        (
            "\u200b张三",
            "name.invisible",
            "The name contains an invisible formatting character (U+200B) at position 1.",
        ),
        (
            "张" * 31,
            "name.too_long",
            "A name may have at most 30 characters; this one has 31.",
        ),
        ("··", "name.no_letters", "A name needs at least one letter or character."),
    ],
)
def test_each_bad_person_name_has_its_own_message(name: str, code: str, message: str) -> None:
    result = validate_person_name(name)
    assert result.error is not None
    assert (result.error.code, result.message) == (code, message)


def test_enterprise_names_have_their_own_codes_and_limit() -> None:
    result = validate_enterprise_name("企" * 101)
    assert result.error is not None
    assert result.error.code == "enterprise_name.too_long"
    assert result.message == "A name may have at most 100 characters; this one has 101."
