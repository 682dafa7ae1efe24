"""Token buckets for the public status page, kept in the server database so that every worker
process (``--workers N``, or several servers on one PostgreSQL) draws from the same budget.

Two budgets: lookups per client address (numbers must not be guessable by brute
force), and wrong verification codes per case number, whatever address they come from. A number
that ran out is locked — also for the right code — until its bucket refills; unknown numbers lock
the same way, so a lockout reveals nothing about which numbers exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.tables import rate_limits

# Forget buckets idle for longer than it takes any of them to refill, every this many calls.
PRUNE_EVERY = 500
MAX_KEY = 96


@dataclass(frozen=True)
class Bucket:
    per_second: float
    burst: float

    @property
    def refill_seconds(self) -> float:
        return self.burst / self.per_second if self.per_second > 0 else 86_400.0


class StatusLimiter:
    def __init__(
        self,
        db: ServerDatabase,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.client = Bucket(settings.status_rate_per_minute / 60.0, float(settings.status_burst))
        failures = float(settings.status_case_failures)
        self.case = Bucket(failures / (settings.status_case_lockout_minutes * 60.0), failures)
        self._clock = clock
        self._calls = 0

    def allow_client(self, address: str) -> bool:
        """Take one lookup from this address's bucket; False when it is empty."""
        return self._take(f"client:{address}", self.client, cost=1.0)

    def case_locked(self, number: str) -> bool:
        return not self._take(f"case:{number}", self.case, cost=0.0)

    def wrong_code(self, number: str) -> None:
        self._take(f"case:{number}", self.case, cost=1.0)

    def retry_after(self) -> int:
        rate = self.client.per_second
        return max(1, int(1 / rate + 0.999)) if rate > 0 else 60

    def _take(self, key: str, bucket: Bucket, cost: float) -> bool:
        key = key[:MAX_KEY]
        now = self._clock()
        with self.db.write() as conn:
            _ensure_row(conn, key, bucket.burst, now)
            row = conn.execute(
                select(rate_limits.c.tokens, rate_limits.c.updated_at)
                .where(rate_limits.c.key == key)
                .with_for_update()
            ).one()
            elapsed = max(0.0, now - float(row.updated_at))
            tokens = min(bucket.burst, float(row.tokens) + elapsed * bucket.per_second)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= cost
            conn.execute(
                update(rate_limits)
                .where(rate_limits.c.key == key)
                .values(tokens=tokens, updated_at=now)
            )
            self._calls += 1
            if self._calls % PRUNE_EVERY == 0:
                horizon = max(self.client.refill_seconds, self.case.refill_seconds)
                conn.execute(delete(rate_limits).where(rate_limits.c.updated_at < now - horizon))
        return allowed


def _ensure_row(conn: Connection, key: str, burst: float, now: float) -> None:
    """Create the bucket full, unless another worker just did (no race on either backend)."""
    values = {"key": key, "tokens": burst, "updated_at": now}
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(rate_limits).values(values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite_insert(rate_limits).values(values).on_conflict_do_nothing())
