"""Bytes a case takes in the desk's SQLite file, on the demo set (issue 16: ≤ 3 KB a case and
≤ 2× the floor). ``python -m bench.bench_storage [N]``; N defaults to 100 000.

Measured as a desk in service holds it: the server has answered every op (the sync client
deletes answered ops) and the background reclaim has handed the freed pages back, the WAL
checkpointed. The figure with every op still waiting is printed beside it.

Floor: the canonical JSON of each case's events (id, seq, type, time, actor, data), written
once, one row per case, into a bare table of a fresh SQLite file with the same page size.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.common import Result, data_dir_with_cases, print_results, result
from dnw_desk.contract.sqltypes import to_utc_text
from dnw_desk.store.database import DB_FILENAME, Database
from dnw_desk.store.outbox_queries import drop_answered
from dnw_desk.store.tables import outbox

CASES = 100_000
BUDGET_BYTES = 3 * 1024


def _file_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _tables(path: Path) -> dict[str, int]:
    """Bytes per table and index (where SQLite has the dbstat table)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    return dict(sorted(rows, key=lambda row: -row[1]))


def _all_answered(db: Database) -> None:
    """What the sync client does as the server answers: every op leaves the outbox; then the
    background reclaim, step by step, until no free page is left."""
    with db.write() as conn:
        ids = [row.id for row in conn.execute(outbox.select().with_only_columns(outbox.c.id))]
        drop_answered(conn, ids)
    for _step in range(1_000_000):
        if not db.reclaim_space():
            break


def _floor(path: Path, target: Path) -> int:
    """The floor file: each case's events as canonical JSON, one row per case."""
    source = sqlite3.connect(path)
    floor = sqlite3.connect(target, isolation_level=None)
    try:
        page_size = source.execute("PRAGMA page_size").fetchone()[0]
        floor.execute(f"PRAGMA page_size = {page_size}")
        floor.execute("CREATE TABLE floor (events TEXT NOT NULL)")
        floor.execute("BEGIN")
        current, timeline = None, []
        query = (
            "SELECT case_id, id, seq, type, at, actor, data FROM case_events ORDER BY case_id, seq"
        )

        def flush() -> None:
            canonical = json.dumps(
                timeline, sort_keys=True, ensure_ascii=False, separators=(",", ":")
            )
            floor.execute("INSERT INTO floor (events) VALUES (?)", (canonical,))

        for case_id, event_id, seq, type_, at, actor, data in source.execute(query):
            if case_id != current and timeline:
                flush()
                timeline = []
            current = case_id
            timeline.append(
                {
                    "id": event_id,
                    "seq": seq,
                    "type": type_,
                    "at": at if isinstance(at, str) else to_utc_text(at),
                    "actor": actor,
                    "data": json.loads(data),
                }
            )
        if timeline:
            flush()
        floor.execute("COMMIT")
    finally:
        source.close()
        floor.close()
    return target.stat().st_size


def main(n_cases: int = CASES) -> list[Result]:
    data_dir = data_dir_with_cases(n_cases)
    path = data_dir / DB_FILENAME
    _checkpoint(path)
    waiting = _file_bytes(path) / n_cases
    db = Database(path)
    _all_answered(db)
    db.close()
    _checkpoint(path)
    answered = _file_bytes(path) / n_cases
    for name, size in _tables(path).items():
        print(f"  {name:<40} {size / n_cases:>9.0f} B/case", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="dnw-bench-floor-") as tmp:
        floor = _floor(path, Path(tmp) / "floor.sqlite3") / n_cases
    results = [
        result(
            "storage: bytes per case (ops answered)",
            answered,
            floor,
            "B",
            f"<= {BUDGET_BYTES} B and <= 2x floor",
            key="storage_bytes_per_case",
        ),
        result("storage: bytes per case (every op waiting)", waiting, floor, "B", "-"),
    ]
    print_results(results)
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else CASES)
