"""``python -m bench.table``: the README's Performance table from bench/results.json."""

from __future__ import annotations

from bench.table import markdown


def test_every_figure_becomes_a_row_with_its_floor_ratio_and_key() -> None:
    results = [
        {
            "benchmark": "bench_storage",
            "measured": "2026-11-26T22:10:00+0000",
            "name": "storage: bytes per case",
            "figure": 7327.99,
            "floor": 3852.33,
            "ratio": 1.902,
            "unit": "B",
            "budget": "<= 2x floor",
            "key": "storage_bytes_per_case",
        },
        {
            "benchmark": "bench_deadline_recompute",
            "name": "deadline_recompute",
            "figure": 0.1069,
            "floor": 0.1368,
            "ratio": 0.78,
            "unit": "s",
            "budget": "a | b",
            "also": [
                {"name": "with the store", "figure": 8.234, "floor": None, "unit": "s"},
                {"name": "errors", "figure": 0, "floor": None, "unit": "count"},
            ],
        },
    ]
    lines = markdown(results).splitlines()
    assert len(lines) == 2 + 4  # header, rule, and the nested figures brought up
    assert lines[2] == (
        "| storage: bytes per case | 7 328 B | 3 852 | 1.90× | <= 2x floor "
        "| `storage_bytes_per_case` | 2026-11-26 |"
    )
    assert "| a / b |" in lines[3]  # a pipe would split the cell
    assert lines[4].startswith("| with the store | 8.234 s | — | — |")
    assert lines[5].startswith("| errors | 0 count |")  # a count stays a whole number
