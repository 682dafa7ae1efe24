"""Register 10 000 cases into a data dir that already holds 100 000
(docs/architecture.md#performance-budgets: p95 ≤ 5 ms).

Floor: a raw ``sqlite3`` single-row INSERT transaction (BEGIN IMMEDIATE … COMMIT) with the same
PRAGMAs on the same file, so the fsync cost of ``synchronous=FULL`` is in both.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime

from bench.common import Result, data_dir_with_cases, p50, percentile, print_results, result
from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.services.desk import open_desk
from tests.factories import CLERK, registration

REGISTRATIONS = 10_000
FLOOR_INSERTS = 2_000


def _floor(db_path: str) -> list[float]:
    conn = sqlite3.connect(db_path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=5000"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, payload TEXT)")
    times = []
    for i in range(FLOOR_INSERTS):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_floor (payload) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - started) * 1000)
    conn.execute("DROP TABLE bench_floor")
    conn.close()
    return times


def main() -> list[Result]:
    data_dir = data_dir_with_cases()
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=HALL_TZ))
    desk = open_desk(data_dir, clock)
    settings = desk.settings
    floor = _floor(str(desk.db.path))
    times = []
    for i in range(REGISTRATIONS):
        reg = registration(phone=f"+86139{i:08d}")
        started = time.perf_counter()
        desk.cases.register(reg, CLERK, categories=settings.categories, units=settings.units)
        times.append((time.perf_counter() - started) * 1000)
        clock.advance(minutes=1)
    desk.close()
    results = [
        result("register: p50 per case (ms)", p50(times), p50(floor), "ms", "-"),
        result(
            "register: p95 per case (ms)",
            percentile(times, 95),
            percentile(floor, 95),
            "ms",
            "p95 <= 5 ms",
        ),
    ]
    print_results(results)
    return results


if __name__ == "__main__":
    main()
