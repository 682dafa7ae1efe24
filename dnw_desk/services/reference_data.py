"""The reference lists shipped in ``resources/data/``: default units, categories, refusal reasons.

A new hall starts from these; its own lists live in the settings table afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from dnw_desk.domain.registration import DEFAULT_EVIDENCE, Category
from dnw_desk.i18n import _, current_language
from dnw_desk.paths import resource_path


@dataclass(frozen=True)
class RefusalReason:
    code: str
    label_zh: str
    label_en: str


def _table_rows(filename: str) -> list[list[str]]:
    """Rows of a ``a | b | c`` file; ``#`` lines are comments, a ``# …`` line ends a section."""
    rows = []
    for line in resource_path("data", filename).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([part.strip() for part in line.split("|")])
    return rows


@cache
def default_units() -> tuple[str, ...]:
    text = resource_path("data", "units-anhui-provincial.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@cache
def default_categories() -> tuple[Category, ...]:
    return tuple(
        Category(code, label_zh, DEFAULT_EVIDENCE.get(code, ()), label_en)
        for code, label_zh, label_en in _table_rows("categories-anhui.txt")
        if not is_refusal_code(code)
    )


@cache
def refusal_reasons() -> tuple[RefusalReason, ...]:
    return tuple(
        RefusalReason(code, zh, en)
        for code, zh, en in _table_rows("categories-anhui.txt")
        if is_refusal_code(code)
    )


def is_refusal_code(code: str) -> bool:
    """A not-accepted case is filed under its refusal reason instead of a category."""
    return code.startswith("x-")


class CategoryNames(dict[str, str]):
    """Category code → what a person reads: the hall's categories and the refusal reasons a
    not-accepted case is filed under. A code neither knows (a category since removed from the
    settings) reads as such — a code or key never reaches a screen, a paper or an export."""

    def __missing__(self, code: str) -> str:
        return _("Category no longer in use")


def category_names(categories: Iterable[Category], language: str | None = None) -> CategoryNames:
    english = (language or current_language()) == "en"
    names = CategoryNames(
        (reason.code, reason.label_en if english else reason.label_zh)
        for reason in refusal_reasons()
    )
    names.update(
        (category.code, category.label_en if english and category.label_en else category.label)
        for category in categories
    )
    return names


def category_tag(code: str) -> str:
    """A short tag for a narrow column (the paper ledger), named in full by a legend."""
    if is_refusal_code(code):
        return _("Not accepted")
    return _("Cat. {code}").format(code=code)
