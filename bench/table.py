"""``bench/results.json`` as the Markdown table the README's Performance section shows:
``python -m bench.table``. One row a figure, with its floor, ratio, budget, key and the day it was
measured, so what the README says is what the last ``make bench`` printed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def _number(value: Any) -> str:
    if not isinstance(value, int | float):
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if abs(value) >= 1000:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def _rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, with the figures some benchmarks nest under ``also`` brought up."""
    rows = []
    for row in results:
        rows.append(row)
        for extra in row.get("also", ()):
            rows.append({**extra, "benchmark": row["benchmark"], "measured": row.get("measured")})
    return rows


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| figure | value | floor (same run) | ratio | budget | key | measured |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in _rows(results):
        unit = row.get("unit", "")
        ratio = row.get("ratio")
        lines.append(
            "| {name} | {value} {unit} | {floor} | {ratio} | {budget} | {key} | {day} |".format(
                name=str(row["name"]).replace("|", "/"),
                value=_number(row.get("figure")),
                unit=unit,
                floor=_number(row.get("floor")),
                ratio=f"{ratio:.2f}×" if isinstance(ratio, int | float) else "—",
                budget=str(row.get("budget", "")).replace("|", "/"),
                key=f"`{row['key']}`" if row.get("key") else "",
                day=str(row.get("measured", ""))[:10],
            )
        )
    return "\n".join(lines)


def main() -> int:
    if not RESULTS.exists():
        print("no bench/results.json yet: run `make bench`", file=sys.stderr)
        return 1
    print(markdown(json.loads(RESULTS.read_text())["results"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
