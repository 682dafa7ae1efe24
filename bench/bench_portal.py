"""The unit's queue page on a province-sized server: 100 000 cases, 10 000 of them the unit's.
The figure is the whole request handled server-side (session, query, countdowns, template) through
the ASGI app; the floor is a raw SELECT of the same page of rows in the same run. Budget: p95
≤ 200 ms."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Result, p50, percentile, print_results, result
from dnw_desk.clock import HALL_TZ
from dnw_desk.contract.sqltypes import to_utc_text
from dnw_desk.server import credentials, people
from dnw_desk.server.app import create_app
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase

CASES = 100_000
THE_UNITS = 10_000
ROUNDS = 60
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=HALL_TZ)
UNIT = "省公安厅"
OTHER_UNITS = ("省教育厅", "市市场监管局", "市人社局", "市住建局", "市医保局")
HALLS = ("AH", "HF", "WH", "BB", "AQ")
STATUSES = ("referred", "accepted", "opinion_given", "fed_back", "called_back", "closed")


def _fill(path: Path) -> None:
    """100 000 case rows written straight into the server's cases cache (the queue reads no
    events); the unit's 10 000 in hall AH, the rest spread over halls and units."""
    rng = random.Random(7)
    rows = []
    for index in range(CASES):
        mine = index < THE_UNITS
        registered = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 90))
        hall = "AH" if mine else rng.choice(HALLS)
        rows.append(
            (
                str(uuid.UUID(int=index)),
                f"{hall}08-{registered:%Y%m%d}-{index:05d}",
                hall,
                "08",
                1,
                "ABC123",
                to_utc_text(registered),
                "delay",
                "出入境证件办理",
                UNIT if mine else rng.choice((UNIT, *OTHER_UNITS)),
                "",
                None,
                to_utc_text(registered),
                rng.choice(STATUSES),
                to_utc_text(registered + timedelta(days=1)),
                0,
                1,
                1,
                to_utc_text(registered),
            )
        )
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO terminals (id, hall, window, label, token_hash, created_at) "
            "VALUES (1, 'AH', '08', '', 'x', ?)",
            (to_utc_text(NOW),),
        )
        conn.executemany(
            "INSERT INTO cases (id, number, hall, window, terminal_id, verification_code, "
            "registered_at, category, service_item, lead_unit, co_units, rectification_unit, "
            "referred_at, status, deadline, deadline_provisional, event_count, last_revision, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def _floor(path: Path) -> list[float]:
    """The same page of rows by a raw SELECT (same filter, order and limit)."""
    query = (
        "SELECT number, hall, category, service_item, status, lead_unit, rectification_unit, "
        "registered_at, referred_at, deadline FROM cases WHERE hall IN ('AH') AND "
        "(lead_unit = ? OR co_units LIKE ? OR rectification_unit = ?) AND status NOT IN "
        "('closed', 'not_accepted') ORDER BY deadline IS NULL, deadline, registered_at DESC, "
        "number LIMIT 51"
    )
    times = []
    with sqlite3.connect(path) as conn:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            conn.execute(query, (UNIT, f"%|{UNIT}|%", UNIT)).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


def _pages(db: ServerDatabase) -> list[float]:
    from fastapi.testclient import TestClient

    with db.write() as conn:
        record, _token = credentials.add_unit(conn, UNIT, NOW, halls=["AH"])
        people.add_person(
            conn, "bench", "bench password 1", people.Role.UNIT, NOW, unit_id=record.unit_id
        )
    app = create_app(Settings(), db=db, clock=lambda: NOW.astimezone(UTC))
    times = []
    with TestClient(app) as client:
        form = client.get("/portal/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        client.post(
            "/portal/login",
            data={"login": "bench", "password": "bench password 1", "csrf": token.group(1)},
        )
        for _ in range(ROUNDS):
            started = time.perf_counter()
            page = client.get("/portal/queue")
            times.append((time.perf_counter() - started) * 1000)
            assert page.status_code == 200 and UNIT in page.text
    return times


def main() -> list[Result]:
    from cryptography.fernet import Fernet

    os.environ.setdefault("DNW_DATA_KEY", Fernet.generate_key().decode())  # a throwaway server
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "server.sqlite3"
        db = ServerDatabase(f"sqlite:///{path}")
        db.migrate()
        _fill(path)
        floor = _floor(path)
        pages = _pages(db)
        db.dispose()
    p95, floor_p95 = percentile(pages, 95), percentile(floor, 95)
    results = [
        result(
            "portal unit queue page p95 (100k cases)",
            p95,
            floor_p95,
            "ms",
            "<= 200 ms",
            key="portal_unit_queue_p95",
        ),
        result("portal unit queue page p50", p50(pages), p50(floor), "ms", "-"),
    ]
    print_results(results)
    return results


if __name__ == "__main__":
    main()
