from __future__ import annotations

import pytest

from dnw_desk.domain.masking import (
    contains_unmasked_pii,
    mask_enterprise_name,
    mask_id_number,
    mask_person_name,
    mask_phone,
)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧***"),
        ("买买提·艾力", "买**·**"),
        ("𠮷野家", "𠮷**"),  # one code point, not two surrogate halves
        ("王𠮷", "王*"),
        ("张", "*"),
        ("", ""),
        ("  张三 ", "张*"),
        ("John Smith", "J*** *****"),
    ],
)
def test_person_names_keep_only_the_first_character(name: str, masked: str) -> None:
    assert mask_person_name(name) == masked


def test_enterprise_names_are_not_personal_data() -> None:
    assert mask_enterprise_name("合肥市张三餐饮有限公司") == "合肥市张三餐饮有限公司"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110105194912310021", "110***********0021"),
        ("11010519491231002X", "110***********002X"),
        ("110105491231002", "110********1002"),
        ("1234567", "*******"),
    ],
)
def test_id_numbers_show_first_three_and_last_four(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+8613812345678", "138****5678"),
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+861012345678", "010-****5678"),
        ("+862112345678", "021-****5678"),
        ("+8655165123456", "0551-****3456"),
        ("+865516123456", "0551-****456"),  # seven-digit local numbers still hide four
        ("0551-65123456", "0551-****3456"),
        ("+85291234567", "+852 ****4567"),
        ("+442079460958", "+44 ******0958"),
        ("12345", "****5"),
        ("", ""),
    ],
)
def test_phones_hide_at_least_four_digits(number: str, masked: str) -> None:
    assert mask_phone(number) == masked
    assert not contains_unmasked_pii(masked)


def test_scanner_finds_unmasked_numbers() -> None:
    text = (
        "身份证 11010519491231002X，电话 13812345678；+86 138 1234 5678 或 +861012345678，"
        "座机 010-12345678 / 0551 6512 3456；旧证 110105491231002；分组 110105 19491231 002x"
    )
    assert contains_unmasked_pii(text) == [
        "11010519491231002X",
        "110105 19491231 002x",
        "110105491231002",
        "13812345678",
        "+86 138 1234 5678",
        "+861012345678",
        "010-12345678",
        "0551 6512 3456",
    ]


def test_scanner_ignores_masked_values_and_ordinary_numbers() -> None:
    text = (
        "受理回执 AH08-20261124-0007K 验证码 7KQ2MX 张* 138****5678 110***********002X "
        "0551-****3456 登记于 2026-11-24 09:30 20261124093000 "
        "统一社会信用代码 91110000600037341L 案件 550e8400-e29b-41d4-a716-446655440000"
    )
    assert contains_unmasked_pii(text) == []


def test_masked_values_pass_the_scanner() -> None:
    text = f"{mask_id_number('11010519491231002X')} {mask_phone('+8613812345678')}"
    assert contains_unmasked_pii(text) == []


def test_scanner_reads_full_width_digits_brackets_groups_and_mail() -> None:
    text = (
        "已电话联系投诉人王小明（１３９１２３４５６７８，身份证３４０１０４１９９００１０１１２３４），"
        "座机 (0551) 6234 5678，证件 1101 0519 4912 3100 2X，邮箱 wxm@example.com"
    )
    assert contains_unmasked_pii(text) == [
        "３４０１０４１９９００１０１１２３４",
        "1101 0519 4912 3100 2X",
        "１３９１２３４５６７８",
        "(0551) 6234 5678",
        "wxm@example.com",
    ]


def test_scanner_ignores_the_digits_of_ids() -> None:
    """Case and op ids are UUIDs: their last group can be twelve digits that read as a landline
    (a random id made the portal's leak check fail now and then)."""
    case_id = "123e4567-e89b-42d3-a456-055162345678"
    assert contains_unmasked_pii(f"/portal/cases/{case_id}") == []
    assert contains_unmasked_pii(f"{case_id} 0551-6234 5678") == ["0551-6234 5678"]
