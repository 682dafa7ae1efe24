"""``make bench``: run every ``bench/bench_*.py`` and print one table.

Each benchmark runs in its own interpreter (so Qt, caches and memory of one do not colour
another) and hands its rows back as JSON; the table shows figure, the floor measured in the same
run, their ratio and the budget (docs/architecture.md#performance-budgets), and
``bench/results.json`` keeps them. ``BENCH=x make bench`` re-runs the benchmarks whose names
contain ``x`` and replaces only their rows there; each row says when it was measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = (
    "import importlib, json, sys\n"
    "name, out = sys.argv[1], sys.argv[2]\n"
    "sys.argv = [name]  # benchmarks with options of their own see none\n"
    "module = importlib.import_module(name)\n"
    "rows = module.main()\n"
    "rows = rows if isinstance(rows, list) else [rows]\n"
    "open(out, 'w').write(json.dumps(rows, default=str))\n"
)


def _fmt(value: object, spec: str) -> str:
    return format(value, spec) if isinstance(value, int | float) else "-"


def main(selected: list[str]) -> int:
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    if selected:
        modules = [m for m in modules if any(s in m for s in selected)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    rows: list[dict[str, object]] = []
    failed = []
    for name in modules:
        measured = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        out = ROOT / "bench" / f".{name}.json"
        print(f"== {name}", flush=True)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", RUNNER, f"bench.{name}", str(out)], cwd=ROOT, env=env
        )
        if proc.returncode != 0 or not out.exists():
            failed.append(name)
            continue
        for row in json.loads(out.read_text()):
            rows.append({"benchmark": name, "measured": measured, **row})
        out.unlink()
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    print()
    header = f"{'figure':<52} {'value':>12} {'floor':>10} {'ratio':>8}  budget"
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = row.get("ratio")
        ratio_text = _fmt(ratio, ".2f") + "x" if ratio is not None else "-"
        print(
            f"{str(row['name'])[:52]:<52} {_fmt(row['figure'], '.3f'):>12} "
            f"{_fmt(row.get('floor'), '.3f'):>10} {ratio_text:>8}  {row.get('budget', '')}"
        )
    _save(rows, rerun=set(modules))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _save(rows: list[dict[str, object]], rerun: set[str]) -> None:
    """Write this run's rows, keeping the rows of benchmarks this run did not include."""
    path = ROOT / "bench" / "results.json"
    kept: list[dict[str, object]] = []
    if path.exists():
        try:
            earlier = json.loads(path.read_text())["results"]
            kept = [row for row in earlier if row["benchmark"] not in rerun]
        except (ValueError, KeyError, TypeError):
            kept = []  # an unreadable file is replaced, not merged
    merged = sorted([*kept, *rows], key=lambda row: str(row["benchmark"]))
    path.write_text(
        json.dumps(
            {"generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "results": merged},
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
