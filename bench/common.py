"""Shared pieces of the benchmarks: percentiles, the result row, the 100 000-case data dir.

Every benchmark measures a *floor* in the same run (the cheapest thing that does the same kind
of work on this machine) and reports ``ratio = figure / floor`` beside the budget
(docs/architecture.md#performance-budgets), so a shared, noisy machine still gives comparable
numbers.
"""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, NotRequired, TypedDict

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
SHORT_WINDOW_DAYS = 31


class Result(TypedDict):
    name: str
    figure: float
    floor: float | None
    ratio: float | None
    unit: str
    budget: str
    key: NotRequired[str]  # a stable name for bench/results.json, for the figures a goal names


def result(
    name: str, figure: float, floor: float | None, unit: str, budget: str, key: str | None = None
) -> Result:
    ratio = figure / floor if floor else None
    row = Result(name=name, figure=figure, floor=floor, ratio=ratio, unit=unit, budget=budget)
    if key is not None:
        row["key"] = key
    return row


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def print_results(results: list[Result]) -> None:
    for row in results:
        floor = f"{row['floor']:.3f}" if row["floor"] is not None else "-"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
        print(
            f"{row['name']:<48} {row['figure']:>10.3f} {row['unit']:<6} "
            f"floor {floor:>9} ratio {ratio:>7}  budget {row['budget']}"
        )


def data_dir_with_cases(n_cases: int = 100_000, days: int = 365) -> Path:
    """A fresh copy of a cached data dir holding ``n_cases`` demo cases (built once per schema
    revision: a cache written by an older release would be upgraded, not written as today).

    The cases end at the moment the cache was built. A window shorter than a month is built
    again each day, because what such a benchmark measures is "today": a day later its cases
    registered today are gone and every pending one is overdue."""
    from dnw_desk.clock import system_clock
    from dnw_desk.store.instance import HEAD_REVISION

    name = f"cases-{n_cases}-{days}-rev{HEAD_REVISION}"
    if days < SHORT_WINDOW_DAYS:
        for older in CACHE.glob(f"{name}-*"):  # other days' builds of the same window
            shutil.rmtree(older, ignore_errors=True)
        name += f"-{system_clock():%Y%m%d}"  # the hall's day, as the desk counts it
    cached = CACHE / name
    if not (cached / "dnw-desk.sqlite3").exists():
        shutil.rmtree(cached, ignore_errors=True)
        cached.mkdir(parents=True)
        print(f"building the {n_cases}-case data dir once (cached in {cached}) …", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dnw_desk.cli",
                "--data-dir",
                str(cached),
                "demo-data",
                "--cases",
                str(n_cases),
                "--days",
                str(days),
            ],
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    scratch = Path(tempfile.mkdtemp(prefix="dnw-bench-"))
    # Removed when the benchmark's interpreter exits: a 100 000-case copy is 2 GB, and every
    # run used to leave one behind until the disk was full.
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    target = scratch / "data"
    shutil.copytree(cached, target, ignore=shutil.ignore_patterns("*.lock", "*.pid"))
    return target


def env_with_data_dir(data_dir: Path) -> dict[str, Any]:
    return {**os.environ, "DNW_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
