"""The one line planner the three renderers share (printing.flow), with a character count as
the measure."""

from __future__ import annotations

from collections.abc import Callable

from dnw_desk.printing.flow import LABEL_SHARE, field_lines, largest_fitting
from dnw_desk.printing.layout import Field


def count(text: str) -> float:
    return float(len(text))


def test_value_hangs_beside_a_short_label() -> None:
    planned = field_lines(Field("单位：", "一二三四五六七八九十"), 10, count, count)
    assert not planned.stacked and planned.indent == 3
    assert planned.values == ("一二三四五六七", "八九十")


def test_a_wide_label_stacks() -> None:
    label = "一" * int(10 * LABEL_SHARE + 1)
    planned = field_lines(Field(label, "值"), 10, count, count)
    assert planned.stacked and planned.values == ("值",) and planned.indent == 0


def test_a_word_that_would_be_cut_beside_the_label_stacks() -> None:
    planned = field_lines(Field("号：", "AH08-2026"), 10, count, count)
    assert planned.stacked and planned.values == ("AH08-2026",)


def test_an_empty_value_still_gives_the_label_its_line() -> None:
    assert field_lines(Field("空：", ""), 10, count, count).values == ("",)


def test_largest_fitting_size() -> None:
    def at(size: int) -> Callable[[str], float]:
        return lambda text: len(text) * size

    assert largest_fitting("abc", 10, (4, 3, 2), at) == 3
    assert largest_fitting("abcdef", 10, (4, 3), at) == 3  # none fits: the smallest
