"""Comparing what the desk holds with what the server holds; an httpx transport with faults."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select

from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.tables import applied_ops
from dnw_desk.server.tables import case_events as server_events
from dnw_desk.server.tables import cases as server_cases
from dnw_desk.services.desk import Desk
from dnw_desk.store.tables import case_events, cases, outbox


def desk_view(desk: Desk) -> dict[str, Any]:
    with desk.db.read() as conn:
        events = conn.execute(select(case_events.c.id, case_events.c.origin)).all()
        return {
            "cases": {
                row.id: row.status for row in conn.execute(select(cases.c.id, cases.c.status))
            },
            "desk_events": Counter(row.id for row in events if row.origin == "desk"),
            "server_events": Counter(row.id for row in events if row.origin == "server"),
            # Answered ops leave the outbox: what is left is what waits.
            "pending": [row for row in conn.execute(select(outbox.c.op_id)).scalars()],
        }


def server_view(db: ServerDatabase) -> dict[str, Any]:
    with db.read() as conn:
        events = conn.execute(select(server_events.c.id, server_events.c.origin)).all()
        return {
            "cases": {
                row.id: row.status
                for row in conn.execute(select(server_cases.c.id, server_cases.c.status))
            },
            "desk_events": Counter(row.id for row in events if row.origin == "desk"),
            "unit_events": Counter(row.id for row in events if row.origin == "unit"),
            "op_ids": Counter(conn.execute(select(applied_ops.c.op_id)).scalars()),
        }


def assert_same(desk: Desk, db: ServerDatabase) -> None:
    """Exactly the desk's cases and events on the server: none lost, none duplicated."""
    mine, theirs = desk_view(desk), server_view(db)
    assert mine["pending"] == []
    assert mine["cases"] == theirs["cases"]
    assert mine["desk_events"] == theirs["desk_events"]
    assert max(theirs["desk_events"].values(), default=1) == 1
    assert mine["server_events"] == theirs["unit_events"]
    assert max(mine["server_events"].values(), default=1) == 1


FAULTS = ("lose_request", "lose_response", "duplicate", "delay", "timeout")


class FaultyTransport(httpx.BaseTransport):
    """Wraps a real transport and injects one fault per request as ``choose`` decides."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        choose: Callable[[int, httpx.Request], str | None],
        *,
        before: Callable[[int, httpx.Request], None] | None = None,
    ) -> None:
        self.inner = inner
        self.choose = choose
        self.before = before
        self.calls = 0
        self.injected: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.before is not None:
            self.before(self.calls, request)
        fault = self.choose(self.calls, request)
        if fault:
            self.injected[fault] += 1
        if fault == "lose_request":
            raise httpx.ConnectError("injected: the request was lost", request=request)
        if fault == "delay":
            time.sleep(0.05)
        if fault == "duplicate":
            twin = httpx.Request(
                request.method, request.url, headers=request.headers, content=request.read()
            )
            first = self.inner.handle_request(twin)
            first.read()
            first.close()
        response = self.inner.handle_request(request)
        if fault in ("lose_response", "timeout"):
            response.read()
            response.close()
            if fault == "timeout":
                raise httpx.ReadTimeout("injected: no answer in time", request=request)
            raise httpx.ReadError("injected: the response was lost", request=request)
        return response


def random_faults(seed: int, rate: float) -> Callable[[int, httpx.Request], str | None]:
    rng = random.Random(seed)

    def choose(_call: int, _request: httpx.Request) -> str | None:
        return rng.choice(FAULTS) if rng.random() < rate else None

    return choose
