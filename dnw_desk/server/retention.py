"""The retention purge on the server: the same rule as the desk's
(``domain.retention``), on the server's copy of each case's timeline.

Everything on the server is synced by definition, so the clock starts when the case closed.
One case per transaction, ``pii_purged_at`` in it: a kill half-way leaves each case whole and
the next run resumes. Afterwards the space is reclaimed (VACUUM on PostgreSQL; secure_delete and
a WAL checkpoint on SQLite) so the old row versions do not keep the data.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, text, update

from dnw_desk.domain.case import Status
from dnw_desk.domain.retention import purge_cutoff, purge_event_data
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.tables import case_events, cases

log = logging.getLogger(__name__)
TERMINAL_STATUSES = (Status.CLOSED.value, Status.NOT_ACCEPTED.value)
BATCH = 200
MAX_PER_RUN = 50_000


@dataclass(frozen=True)
class ServerPurgeReport:
    numbers: tuple[str, ...]
    dry_run: bool

    @property
    def count(self) -> int:
        return len(self.numbers)


def _due(
    conn: Connection, cutoff: datetime, limit: int, case_id: str | None = None
) -> list[tuple[str, str]]:
    query = (
        select(cases.c.id, cases.c.number)
        .where(
            cases.c.status.in_(TERMINAL_STATUSES),
            cases.c.closed_at.is_not(None),
            cases.c.closed_at <= cutoff,
            cases.c.pii_purged_at.is_(None),
        )
        .order_by(cases.c.closed_at, cases.c.id)
        .limit(limit)
    )
    if case_id is not None:
        query = query.where(cases.c.id == case_id)
    return [(row.id, row.number) for row in conn.execute(query)]


def purge_server(
    db: ServerDatabase, retention_days: int, now: datetime, *, dry_run: bool = False
) -> ServerPurgeReport:
    cutoff = purge_cutoff(now, retention_days)
    if dry_run:
        with db.read() as conn:
            due = _due(conn, cutoff, MAX_PER_RUN)
        return ServerPurgeReport(tuple(number for _id, number in due), True)
    purged: list[str] = []
    for _batch in range(MAX_PER_RUN // BATCH):
        with db.read() as conn:
            due = _due(conn, cutoff, BATCH)
        if not due:
            break
        for case_id, number in due:
            with db.write() as conn:
                if not _due(conn, cutoff, 1, case_id):
                    continue  # another worker purged it meanwhile
                _purge_case(conn, case_id, now)
            purged.append(number)
    if purged:
        _reclaim(db)
    return ServerPurgeReport(tuple(purged), False)


def _purge_case(conn: Connection, case_id: str, now: datetime) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    from dnw_desk.server.attachments import drop_with_case
    from dnw_desk.server.sealing import current_sealer

    sealer = current_sealer()
    for event in conn.execute(
        select(case_events.c.id, case_events.c.type, case_events.c.data).where(
            case_events.c.case_id == case_id
        )
    ).all():
        data = purge_event_data(event.type, sealer.open(event.data))
        conn.execute(update(case_events).where(case_events.c.id == event.id).values(data=data))
    drop_with_case(conn, case_id)
    conn.execute(update(cases).where(cases.c.id == case_id).values(pii_purged_at=now))


def _reclaim(db: ServerDatabase) -> None:
    try:
        if db.is_sqlite:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM case_events"))
    except Exception as exc:  # best effort: autovacuum and the next checkpoint get there too
        log.warning("retention purge: reclaiming space failed: %s", type(exc).__name__)


class DailyPurge:
    """The purge in a server process: first after ``first_delay_s``, then every
    ``interval_s``. Idempotent, so several workers running it is harmless."""

    def __init__(
        self, db: ServerDatabase, retention_days: int, interval_s: float, first_delay_s: float
    ) -> None:
        self.db = db
        self.retention_days = retention_days
        self.interval_s = interval_s
        self.first_delay_s = first_delay_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval_s <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="retention-purge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)

    def _run(self) -> None:
        wait = self.first_delay_s
        while not self._stop.wait(wait):
            try:
                report = purge_server(self.db, self.retention_days, datetime.now(UTC))
                if report.count:
                    log.info("retention purge: %d cases", report.count)
            except Exception as exc:
                log.error("retention purge failed: %s", type(exc).__name__)
            wait = self.interval_s
