from __future__ import annotations

from dnw_desk.printing.textwrap_cjk import display_width, wrap_columns


def test_cjk_counts_two_columns() -> None:
    assert display_width("受理编号AH08") == 12
    assert display_width("，。") == 4
    assert display_width("¥") == 1
    assert display_width("𠮷") == 2


def test_wrap_by_columns_never_exceeds_width() -> None:
    text = "责任单位将于2026年11月25日 17:30前，向您和本窗口反馈办理结果或办理意见。"
    lines = wrap_columns(text, 32)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= 32 for line in lines)


def test_closing_punctuation_never_starts_a_line() -> None:
    lines = wrap_columns("一二三四五六七，八九十", 14)
    assert all(not line.startswith("，") for line in lines)


def test_latin_words_stay_whole_when_they_fit() -> None:
    lines = wrap_columns("查询码 7K3Q9P 受理编号 AH08-20261124-0007K", 24)
    assert any("AH08-20261124-0007K" in line for line in lines)
