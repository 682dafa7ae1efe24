"""The reference lists shipped in ``resources/data/``: default units, categories, refusal reasons.

A new hall starts from these; its own lists live in the settings table afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dnw_desk.domain.registration import DEFAULT_EVIDENCE, Category
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
        if not code.startswith("x-")
    )


@cache
def refusal_reasons() -> tuple[RefusalReason, ...]:
    return tuple(
        RefusalReason(code, zh, en)
        for code, zh, en in _table_rows("categories-anhui.txt")
        if code.startswith("x-")
    )
