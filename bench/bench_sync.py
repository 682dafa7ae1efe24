"""Sync to the central server on PostgreSQL (docs/architecture.md#performance-budgets).

1. Push 10 000 operations (5 000 cases: registered + referred) over HTTP to a ``dnw-server``
   process, in batches of 500, and compare ops/s with a raw psycopg ``executemany`` of the same
   rows (cases, events, applied ops) in one transaction, written a batch at a time between the
   pushes so both meet the same moments of a shared machine. Goal: ≥ 25 %.
2. 20 terminals push concurrently for 30 s (batches of 10); afterwards every op each terminal
   generated must be on the server exactly once. Goal: 0 errors, 0 lost.

Needs ``DNW_BENCH_DATABASE_URL`` or ``DNW_TEST_DATABASE_URL`` (a scratch database: the benchmark
works in its own schemas ``dnw_bench`` and ``dnw_bench_raw`` and drops them first).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from bench.common import ROOT, Result, print_results, result

OPS = 10_000
BATCH = 500
TERMINALS = 20
CONCURRENT_SECONDS = 30.0
CONCURRENT_BATCH = 10
SCHEMA = "dnw_bench"
RAW_SCHEMA = "dnw_bench_raw"


def database_url() -> str | None:
    for name in ("DNW_BENCH_DATABASE_URL", "DNW_TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgres"):
            return url
    return None


def with_schema(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def reset_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()


# --- generating the ops a desk would push ------------------------------------------------


def registration_template() -> dict[str, Any]:
    from tests.factories import registration

    return registration(id_number="110105199003070017").to_data()


def case_ops(
    hall: str, window: str, day: date, serial: int, template: dict[str, Any]
) -> list[dict[str, Any]]:
    from dnw_desk.domain.numbering import format_case_number

    case_id = str(uuid.uuid4())
    number = format_case_number(hall, window, day, serial)
    at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC) + timedelta(seconds=serial)
    deadline = (at + timedelta(days=1)).isoformat()
    registered = {
        **template,
        "number": number,
        "verification_code": "ABC234",
        "hall": hall,
        "window": window,
        "clerk_no": "0815",
    }
    referred = {
        "unit": "省公安厅",
        "deadline": deadline,
        "deadline_provisional": False,
        "calendar_version": "bench",
        "rule": "civil-code",
    }
    return [
        {
            "op_id": str(uuid.uuid4()),
            "case_id": case_id,
            "case_no": number,
            "hall": hall,
            "window": window,
            "seq": seq,
            "event": {
                "id": str(uuid.uuid4()),
                "type": kind,
                "at": at.isoformat(),
                "actor": "wang(0815)",
                "data": data,
            },
        }
        for seq, (kind, data) in enumerate((("registered", registered), ("referred", referred)), 1)
    ]


# --- the server process --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DNW_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    if not env.get("DNW_DATA_KEY"):  # the server refuses to run without its data key
        from cryptography.fernet import Fernet

        env["DNW_DATA_KEY"] = Fernet.generate_key().decode("ascii")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dnw_desk.server.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("dnw-server did not start")


def add_terminals(url: str, windows: list[str]) -> list[str]:
    return [token for token, _hall, _window in add_terminals_at(url, [("AH", w) for w in windows])]


def add_terminals_at(url: str, places: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """A terminal credential for each (hall, window): (token, hall, window)."""
    from dnw_desk.server import credentials
    from dnw_desk.server.core.db import ServerDatabase

    db = ServerDatabase(url)
    tokens = []
    with db.write() as conn:
        for hall, window in places:
            _record, token = credentials.add_terminal(conn, hall, window, datetime.now(UTC))
            tokens.append((token, hall, window))
    db.dispose()
    return tokens


# --- 1. push throughput vs raw executemany ---------------------------------------------------


def push_all(base: str, token: str, ops: list[dict[str, Any]], floor: RawFloor) -> float:
    """Push ``ops`` in batches; after each, the floor writes the same batch's rows."""
    headers = {"Authorization": f"Bearer {token}"}
    pushing = 0.0
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        for start in range(0, len(ops), BATCH):
            batch = ops[start : start + BATCH]
            started = time.perf_counter()
            response = http.post("/api/v1/sync/push", json={"ops": batch})
            response.raise_for_status()
            pushing += time.perf_counter() - started
            outcomes = {r["outcome"] for r in response.json()["results"]}
            if outcomes != {"applied"}:
                raise RuntimeError(f"unexpected outcomes {outcomes}")
            floor.write(batch, start + 1)
    floor.commit()
    return pushing


def raw_rows(
    ops: list[dict[str, Any]], now: datetime, first_revision: int = 1
) -> tuple[list[tuple[Any, ...]], ...]:
    from dnw_desk.contract.sqltypes import to_utc_text

    stamp = to_utc_text(now)
    cases, events, applied = [], [], []
    for revision, op in enumerate(ops, start=first_revision):
        event = op["event"]
        at = to_utc_text(datetime.fromisoformat(event["at"]))
        if event["type"] == "registered":
            cases.append(
                (
                    op["case_id"],
                    op["case_no"],
                    "AH",
                    op["window"],
                    1,
                    "ABC234",
                    at,
                    "3",
                    "出入境证件办理",
                    "省公安厅",
                    "referred",
                    stamp,
                    False,
                    2,
                    revision + 1,
                    stamp,
                )
            )
        events.append(
            (
                event["id"],
                op["case_id"],
                op["seq"],
                op["seq"],
                event["type"],
                at,
                event["actor"],
                json.dumps(event["data"], ensure_ascii=False),
                "desk",
                "terminal:1",
                revision,
                stamp,
            )
        )
        result = {"op_id": op["op_id"], "outcome": "applied", "status": 201, "revision": revision}
        applied.append(
            (
                op["op_id"],
                "terminal:1",
                hashlib.sha256(op["op_id"].encode()).hexdigest(),
                "applied",
                json.dumps(result),
                stamp,
            )
        )
    return cases, events, applied


class RawFloor:
    """The floor: the same rows into the same tables with psycopg's ``executemany``, in one
    transaction. It is written a batch at a time between the pushes (and committed after the
    last), so both meet the same stretches of a shared machine; ``seconds`` adds up only the
    floor's own statements and its commit."""

    def __init__(self, url: str) -> None:
        import psycopg

        from dnw_desk.server import credentials
        from dnw_desk.server.core.db import ServerDatabase

        db = ServerDatabase(with_schema(url, RAW_SCHEMA))
        db.migrate()
        with db.write() as conn:
            credentials.add_terminal(conn, "AH", "01", datetime.now(UTC))
        db.dispose()
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        self.conn = psycopg.connect(plain, options=f"-csearch_path={RAW_SCHEMA}")
        self.now = datetime.now(UTC)
        self.seconds = 0.0

    def write(self, ops: list[dict[str, Any]], first_revision: int) -> None:
        cases, events, applied = raw_rows(ops, self.now, first_revision)
        started = time.perf_counter()
        with self.conn.cursor() as cur:
            cur.executemany(
                'INSERT INTO cases (id, number, hall, "window", terminal_id, verification_code,'
                " registered_at, category, service_item, lead_unit, status, deadline,"
                " deadline_provisional, event_count, last_revision, updated_at)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                cases,
            )
            cur.executemany(
                "INSERT INTO case_events (id, case_id, position, desk_seq, type, at, actor, data,"
                " origin, source, revision, recorded_at)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s::jsonb,%s,%s,%s,%s)",
                events,
            )
            cur.executemany(
                "INSERT INTO applied_ops (op_id, source, fingerprint, outcome, result, applied_at)"
                " VALUES (%s,%s,%s,%s,%s::jsonb,%s)",
                applied,
            )
        self.seconds += time.perf_counter() - started

    def commit(self) -> None:
        started = time.perf_counter()
        self.conn.commit()
        self.seconds += time.perf_counter() - started
        self.conn.close()


def raw_executemany(url: str, ops: list[dict[str, Any]]) -> float:
    """The floor written at once: the seconds of its statements and commit."""
    floor = RawFloor(url)
    floor.write(ops, 1)
    floor.commit()
    return floor.seconds


# --- 2. concurrent terminals ------------------------------------------------------------------


class Terminal(threading.Thread):
    def __init__(
        self, base: str, token: str, window: str, until: float, template: dict[str, Any]
    ) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.window, self.until = base, token, window, until
        self.template = template
        self.generated: list[str] = []
        self.errors = 0
        self.serial = 0
        self.pending: list[dict[str, Any]] = []

    def next_ops(self) -> None:
        while len(self.pending) < CONCURRENT_BATCH:
            self.serial += 1
            day = date(2026, 11, 24) + timedelta(days=self.serial // 9000)
            ops = case_ops("AH", self.window, day, self.serial % 9000 + 1, self.template)
            self.generated += [op["op_id"] for op in ops]
            self.pending += ops

    def push(self, http: httpx.Client) -> bool:
        batch = self.pending[:CONCURRENT_BATCH]
        try:
            response = http.post("/api/v1/sync/push", json={"ops": batch})
        except httpx.HTTPError:
            self.errors += 1
            return False
        if response.status_code != 200:
            self.errors += 1
            return False
        if len(response.json()["results"]) != len(batch):
            self.errors += 1
            return False
        del self.pending[: len(batch)]
        return True

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=60) as http:
            while time.monotonic() < self.until:
                self.next_ops()
                self.push(http)
            for _attempt in range(100):  # drain what is still pending, bounded
                if not self.pending:
                    break
                self.push(http)


def stored_op_ids(url: str) -> list[str]:
    from sqlalchemy import select

    from dnw_desk.server.core.db import ServerDatabase
    from dnw_desk.server.tables import applied_ops

    db = ServerDatabase(url)
    with db.read() as conn:
        ids = list(conn.execute(select(applied_ops.c.op_id)).scalars())
    db.dispose()
    return ids


def concurrent(base: str, url: str, template: dict[str, Any]) -> tuple[int, int, int, float]:
    windows = [f"{n:02d}" for n in range(21, 21 + TERMINALS)]
    tokens = add_terminals(url, windows)
    until = time.monotonic() + CONCURRENT_SECONDS
    threads = [Terminal(base, t, w, until, template) for t, w in zip(tokens, windows, strict=True)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(CONCURRENT_SECONDS + 120)
    elapsed = time.monotonic() - started
    stored = stored_op_ids(url)
    generated = [op for thread in threads for op in thread.generated]
    present = set(stored)
    lost = sum(1 for op in generated if op not in present)
    duplicated = len(stored) - len(present)
    errors = sum(thread.errors for thread in threads)
    return errors, lost + duplicated, len(generated), elapsed


def main() -> list[Result]:
    url = database_url()
    if url is None:
        print(
            "bench_sync: skipped — no PostgreSQL URL (set DNW_BENCH_DATABASE_URL or "
            "DNW_TEST_DATABASE_URL)"
        )
        return []
    from dnw_desk.server.core.db import ServerDatabase

    template = registration_template()
    day = date(2026, 11, 24)
    ops = [
        op
        for serial in range(1, OPS // 2 + 1)
        for op in case_ops("AH", "01", day, serial, template)
    ]

    reset_schema(url, RAW_SCHEMA)
    floor = RawFloor(url)

    reset_schema(url, SCHEMA)
    server_url = with_schema(url, SCHEMA)
    db = ServerDatabase(server_url)
    db.migrate()
    db.dispose()
    [token] = add_terminals(server_url, ["01"])
    port = free_port()
    process = start_server(server_url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        push_seconds = push_all(base, token, ops, floor)
        errors, lost, generated, elapsed = concurrent(base, server_url, template)
    finally:
        process.terminate()
        process.wait(30)
    push_rate, raw_rate = OPS / push_seconds, OPS / floor.seconds
    results = [
        result(
            "push 10 000 ops to PostgreSQL (ops/s)",
            push_rate,
            raw_rate,
            "ops/s",
            "ratio ≥ 0.25 of raw executemany",
        ),
        result(
            f"{TERMINALS} terminals × {CONCURRENT_SECONDS:.0f} s: errors",
            errors,
            None,
            "count",
            "0",
        ),
        result(
            f"{TERMINALS} terminals × {CONCURRENT_SECONDS:.0f} s: lost or duplicated ops",
            lost,
            None,
            "count",
            "0",
        ),
        result(
            f"{TERMINALS} terminals × {CONCURRENT_SECONDS:.0f} s: ops pushed per second",
            generated / elapsed,
            None,
            "ops/s",
            "-",
        ),
    ]
    print_results(results)
    reset_schema(url, RAW_SCHEMA)
    reset_schema(url, SCHEMA)
    return results


if __name__ == "__main__":
    main()
