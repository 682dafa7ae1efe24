"""Functions stay short enough to read at once: none over 60 lines, and no block radon grades D
or worse (cyclomatic complexity above 20), anywhere in the package but its migrations."""

from __future__ import annotations

import ast
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

PACKAGE = Path(__file__).resolve().parents[1] / "dnw_desk"
MAX_LINES = 60
WORST_RANK = "C"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _key(path: Path, name: str) -> str:
    return f"{path.relative_to(PACKAGE).as_posix()}::{name}"


def _long_functions() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    found[_key(path, node.name)] = length
    return found


def _complex_blocks() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in _modules():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            for item in [block, *getattr(block, "methods", [])]:
                rank = cc_rank(item.complexity)
                if rank > WORST_RANK:
                    found[_key(path, item.fullname)] = f"{rank} ({item.complexity})"
    return found


def test_no_function_is_longer_than_60_lines() -> None:
    found = _long_functions()
    assert not found, f"split these (lines, over {MAX_LINES}): {found}"


def test_radon_grades_no_block_d_or_worse() -> None:
    found = _complex_blocks()
    assert not found, f"split these (radon grade): {found}"
