"""A province on one server: 500 terminals doing sync rounds, unit liaisons reading their queue
pages and citizens looking up the status page, for 60 s, against ``dnw-server serve --workers
2`` on PostgreSQL (loopback only; bounded in count and time).

Each terminal registers and refers a case now and then and syncs (push, then pull) every few
seconds, as the desk's worker does; 20 liaisons reload their queue; 20 citizens look up a case.
Afterwards every op a terminal generated must be on the server exactly once. The figures: errors
(budget 0), lost or duplicated ops (0), p99 push latency, and pushed ops/s as a ratio to raw
psycopg inserts of the same rows in the same run.

Needs ``DNW_BENCH_DATABASE_URL`` or ``DNW_TEST_DATABASE_URL``; ``DNW_BENCH_SECONDS`` and
``DNW_BENCH_TERMINALS`` shorten a trial run.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import string
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx

from bench.bench_sync import (
    RAW_SCHEMA,
    add_terminals_at,
    case_ops,
    database_url,
    free_port,
    raw_executemany,
    registration_template,
    reset_schema,
    start_server,
    stored_op_ids,
    with_schema,
)
from bench.common import Result, percentile, print_results, result

SECONDS = float(os.environ.get("DNW_BENCH_SECONDS", "60"))
TERMINALS = int(os.environ.get("DNW_BENCH_TERMINALS", "500"))
WORKERS = 2
LIAISONS = 20
CITIZENS = 20
ROUND_SECONDS = (20.0, 40.0)  # the desk's worker syncs every 30 s (and at once after a change)
SCHEMA = "dnw_province"
PASSWORD = "bench password 1"


def _halls(count: int) -> list[str]:
    letters = string.ascii_uppercase
    return [f"{letters[i // 26 % 26]}{letters[i % 26]}" for i in range(count)]


@dataclass
class Load:
    generated: list[str] = field(default_factory=list)
    push_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    status_ms: list[float] = field(default_factory=list)
    errors: int = 0
    saturated: int = 0  # ops pushed in the saturating phase
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (number, code) pushed


async def _terminal(
    http: httpx.AsyncClient, token: str, hall: str, window: str, until: float, load: Load
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    template = registration_template()
    rng = random.Random(f"{hall}{window}")
    serial = 0
    pending: list[dict[str, Any]] = []
    cursor = 0
    await asyncio.sleep(rng.uniform(0, ROUND_SECONDS[1]))  # desks do not start in step
    while time.monotonic() < until:
        if rng.random() < 0.5:  # about one new case every second round
            serial += 1
            ops = case_ops(hall, window, date(2026, 11, 24), serial, template)
            load.generated += [op["op_id"] for op in ops]
            pending += ops
        if pending:
            started = time.perf_counter()
            try:
                answer = await http.post(
                    "/api/v1/sync/push", json={"ops": pending}, headers=headers
                )
                ok = answer.status_code == 200 and len(answer.json()["results"]) == len(pending)
            except httpx.HTTPError:
                ok = False
            load.push_ms.append((time.perf_counter() - started) * 1000)
            if ok:
                load.numbers.append((pending[0]["case_no"], "ABC234"))
                pending = []
            else:
                load.errors += 1
        try:
            pulled = await http.get(f"/api/v1/sync/pull?cursor={cursor}", headers=headers)
            if pulled.status_code == 200:
                cursor = pulled.json()["next_cursor"]
            else:
                load.errors += 1
        except httpx.HTTPError:
            load.errors += 1
        await asyncio.sleep(rng.uniform(*ROUND_SECONDS))
    for _attempt in range(20):  # what is still pending goes out, bounded
        if not pending:
            break
        try:
            answer = await http.post("/api/v1/sync/push", json={"ops": pending}, headers=headers)
            if answer.status_code == 200:
                pending = []
        except httpx.HTTPError:
            await asyncio.sleep(1)


async def _saturating(
    http: httpx.AsyncClient, token: str, hall: str, window: str, until: float, load: Load
) -> None:
    """Push new cases back to back (serials after the realistic phase's): the server's ceiling."""
    headers = {"Authorization": f"Bearer {token}"}
    template = registration_template()
    serial = 5000
    while time.monotonic() < until:
        serial += 1
        ops = case_ops(hall, window, date(2026, 11, 24), serial, template)
        load.generated += [op["op_id"] for op in ops]
        for _attempt in range(20):
            try:
                answer = await http.post("/api/v1/sync/push", json={"ops": ops}, headers=headers)
                if answer.status_code == 200:
                    load.saturated += len(ops)
                    break
            except httpx.HTTPError:
                pass
            load.errors += 1


async def _liaison(base: str, login: str, until: float, load: Load) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        form = await client.get("/portal/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        if token is None:
            load.errors += 1
            return
        await client.post(
            "/portal/login", data={"login": login, "password": PASSWORD, "csrf": token.group(1)}
        )
        while time.monotonic() < until:
            started = time.perf_counter()
            page = await client.get("/portal/queue")
            load.page_ms.append((time.perf_counter() - started) * 1000)
            if page.status_code != 200:
                load.errors += 1
            await asyncio.sleep(3.0)


async def _citizen(http: httpx.AsyncClient, until: float, load: Load) -> None:
    rng = random.Random()
    while time.monotonic() < until:
        if load.numbers:
            number, code = rng.choice(load.numbers)
            started = time.perf_counter()
            page = await http.get(f"/status/{number}?code={code}")
            load.status_ms.append((time.perf_counter() - started) * 1000)
            if page.status_code not in (200, 429):  # 429: the rate limit doing its job
                load.errors += 1
        await asyncio.sleep(1.0)


async def _run(
    base: str, tokens: list[tuple[str, str, str]], logins: list[str]
) -> tuple[Load, float]:
    """The realistic mix for SECONDS, then every terminal pushing flat out for SECONDS / 4;
    the load, and how long the flat-out phase took."""
    load = Load()
    until = time.monotonic() + SECONDS
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        tasks = [_terminal(http, t, hall, window, until, load) for t, hall, window in tokens]
        tasks += [_liaison(base, login, until, load) for login in logins]
        tasks += [_citizen(http, until, load) for _ in range(CITIZENS)]
        await asyncio.wait_for(asyncio.gather(*tasks), SECONDS + 300)
        started = time.monotonic()
        until = started + SECONDS / 4
        flat_out = [_saturating(http, t, hall, window, until, load) for t, hall, window in tokens]
        await asyncio.wait_for(asyncio.gather(*flat_out), SECONDS + 300)
    return load, time.monotonic() - started


def _people(url: str, halls: list[str]) -> list[str]:
    from dnw_desk.server import credentials, people
    from dnw_desk.server.core.db import ServerDatabase

    db = ServerDatabase(url)
    logins = []
    now = datetime.now(UTC)
    with db.write() as conn:
        for index in range(min(LIAISONS, len(halls))):
            record, _token = credentials.add_unit(conn, "省公安厅", now, halls=[halls[index]])
            login = f"liaison{index}"
            people.add_person(conn, login, PASSWORD, people.Role.UNIT, now, unit_id=record.unit_id)
            logins.append(login)
    db.dispose()
    return logins


def main() -> list[Result]:
    url = database_url()
    if url is None:
        print("bench_province: skipped — no PostgreSQL URL")
        return []
    from dnw_desk.server.core.db import ServerDatabase

    reset_schema(url, SCHEMA)
    server_url = with_schema(url, SCHEMA)
    db = ServerDatabase(server_url)
    db.migrate()
    db.dispose()
    halls = _halls(TERMINALS // 10 + 1)
    places = [(halls[i // 10], f"{i % 10 + 1:02d}") for i in range(TERMINALS)]
    tokens = add_terminals_at(server_url, places)
    logins = _people(server_url, halls)
    port = free_port()
    process = start_server(server_url, port, workers=WORKERS)
    try:
        load, saturated_seconds = asyncio.run(_run(f"http://127.0.0.1:{port}", tokens, logins))
    finally:
        process.terminate()
        process.wait(30)
    stored = stored_op_ids(server_url)
    present = set(stored)
    wrong = sum(1 for op in load.generated if op not in present) + len(stored) - len(present)
    template = registration_template()
    same = [
        op
        for serial in range(1, load.saturated // 2 + 1)
        for op in case_ops("ZZ", "01", date(2026, 11, 24), serial, template)
    ]
    reset_schema(url, RAW_SCHEMA)
    raw_seconds = raw_executemany(url, same) if same else 0.0
    pushed_rate = load.saturated / saturated_seconds
    raw_rate = len(same) / raw_seconds if raw_seconds else None
    label = f"{TERMINALS} terminals × {SECONDS:.0f} s"
    page_p95 = percentile(load.page_ms or [0], 95)
    status_p95 = percentile(load.status_ms or [0], 95)
    results = [
        result(
            f"{TERMINALS} terminals flat out: pushed ops/s",
            pushed_rate,
            raw_rate,
            "ops/s",
            "-",
            key="server_push_500_terminals",
        ),
        result(f"{label}: push latency p99", percentile(load.push_ms, 99), None, "ms", "-"),
        result(f"{label}: errors", load.errors, None, "count", "0"),
        result(f"{label}: lost or duplicated ops", wrong, None, "count", "0"),
        result(f"{label}: unit queue page p95", page_p95, None, "ms", "-"),
        result(f"{label}: status page p95", status_p95, None, "ms", "-"),
    ]
    print_results(results)
    return results


if __name__ == "__main__":
    main()
