"""Register 10 000 cases into a data dir that already holds 100 000
(docs/architecture.md#performance-budgets: p95 ≤ 5 ms, and ≤ 1.5× the floor).

Floor: the same rows a registration writes — the case, its complainant search keys, its events,
their outbox ops and audit entries, and the window's day counter — written with raw ``sqlite3``
into the same tables of the same file, one ``BEGIN IMMEDIATE … COMMIT`` each, with the desk
writer's PRAGMAs: the indexes and the fsync of ``synchronous=FULL`` are in both; only the desk's
own work (validation, numbering, the fold, SQLAlchemy, hashing) is not in the floor. Its rows
are a copy of a case the desk registered, built before its clock starts.

Desk saves and floor transactions alternate in blocks of ``BLOCK``, so both see the same
stretches of a shared machine (a burst of someone else's load) instead of the floor running in
a quiet few seconds of its own. (Not one each: a commit on one connection empties the other's
page cache, which a desk with its single writer never pays.)
"""

from __future__ import annotations

import sqlite3
import sys
import time
import uuid
from datetime import datetime
from typing import Any

from bench.common import Result, data_dir_with_cases, p50, percentile, print_results, result
from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.services.desk import open_desk
from dnw_desk.store.database import DB_FILENAME
from tests.factories import CLERK, registration

REGISTRATIONS = 10_000
BLOCK = 100


_TABLES = ("cases", "complainant_keys", "case_events", "outbox", "audit_log")
_COUNTER = (
    "INSERT INTO daily_counters (hall, window, day, last_serial) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (hall, window, day) DO UPDATE SET last_serial = last_serial + 1"
)


def _template(
    conn: sqlite3.Connection, case_id: str
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """The rows of a case the desk registered (as stored), table by table. (Not merely the
    latest case: a demo case's audit entry covers its whole batch, over a megabyte.)"""
    template = {}
    for table in _TABLES:
        where = "id = ?" if table == "cases" else "case_id = ?"
        cursor = conn.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY 1", (case_id,))
        template[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    return template


def _floor_rows(
    template: dict[str, tuple[list[str], list[tuple[Any, ...]]]], index: int
) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """One registration's rows, made unique (ids, number, serial; audit and outbox ids are
    left to SQLite, as the desk's own saves come in between)."""
    case_id = str(uuid.uuid4())
    event_ids: dict[Any, str] = {}
    out = []
    for table in _TABLES:
        columns, rows = template[table]
        made = []
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            if table == "cases":
                values.update(id=case_id, number=f"FLOOR-{index}", serial=1_000_000 + index)
            elif table == "complainant_keys":
                values.update(digest=uuid.uuid4().bytes + values["digest"][16:], case_id=case_id)
            else:
                values["case_id"] = case_id
            if table == "case_events":
                event_ids[values["id"]] = values["id"] = str(uuid.uuid4())
            elif table == "outbox":
                values.update(
                    id=None, op_id=str(uuid.uuid4()), event_id=event_ids[values["event_id"]]
                )
            elif table == "audit_log":
                values["id"] = None
            made.append(tuple(values[c] for c in columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        out.append((sql, made))
    out.append((_COUNTER, [("FLOOR", "1", f"{index:08d}")]))
    return out


class _Floor:
    """Raw ``sqlite3`` on its own connection to the desk's file, one registration's rows a
    call."""

    def __init__(self, db_path: str, case_id: str) -> None:
        self.conn = sqlite3.connect(db_path, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=5000",
            "cache_size=-32000",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.template = _template(self.conn, case_id)

    def save(self, index: int) -> float:
        """Write copy ``index``; the milliseconds its transaction took."""
        batch = _floor_rows(self.template, index)
        started = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        for sql, rows in batch:
            self.conn.executemany(sql, rows)
        self.conn.execute("COMMIT")
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.conn.close()


def main(n_cases: int = 100_000, registrations: int = REGISTRATIONS) -> list[Result]:
    data_dir = data_dir_with_cases(n_cases)
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=HALL_TZ))
    desk = open_desk(data_dir, clock)
    categories, units = desk.settings.categories, desk.settings.units

    def register(i: int) -> tuple[float, str]:
        reg = registration(phone=f"+86139{i:08d}")
        started = time.perf_counter()
        case_id = desk.cases.register(reg, CLERK, categories=categories, units=units).case.id
        elapsed = (time.perf_counter() - started) * 1000
        clock.advance(minutes=1)
        return elapsed, case_id

    _elapsed, first = register(registrations)  # the floor's template (not timed)
    floor = _Floor(str(data_dir / DB_FILENAME), first)
    times: list[float] = []
    floor_times: list[float] = []
    for block in range(0, registrations, BLOCK):
        indexes = range(block, min(block + BLOCK, registrations))
        times.extend(register(i)[0] for i in indexes)
        floor_times.extend(floor.save(i) for i in indexes)
    floor.close()
    desk.close()
    results = [
        result("register: p50 per case (ms)", p50(times), p50(floor_times), "ms", "-"),
        result(
            "register: p95 per case (ms)",
            percentile(times, 95),
            percentile(floor_times, 95),
            "ms",
            "p95 <= 5 ms and <= 1.5x floor",
            key="register_p95",
        ),
    ]
    print_results(results)
    return results


if __name__ == "__main__":
    # Quick runs: ``python -m bench.bench_register [cases in the data dir] [registrations]``.
    main(*(int(arg) for arg in sys.argv[1:3]))
