"""The background sync loop: a round every ``interval`` seconds while things work, exponential
backoff with full jitter while they do not (so a hall's desks do not hammer a server that just
came back all at the same moment). The GUI wires ``on_status`` to a queued signal."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dnw_desk.background import WakeableLoop
from dnw_desk.clock import Clock, system_clock
from dnw_desk.store.database import Database
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.client import SyncClient, SyncReport, SyncStatus, read_status
from dnw_desk.sync.credentials import CredentialStore

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    base: float = 2.0
    cap: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def next_delay(self) -> float:
        """Full jitter: uniform in [0, min(cap, base·2^n)], but never below a tenth of base."""
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 30))
        self.failures += 1
        return max(self.base / 10, self.rng.uniform(0, ceiling))

    def reset(self) -> None:
        self.failures = 0


def client_for(
    db: Database, data_dir: Path, clock: Clock = system_clock, **options: object
) -> SyncClient | None:
    """A client for the enrolled server, or None when this desk is not enrolled."""
    with db.read() as conn:
        enrolment = sync_state.enrolment(conn)
    if enrolment is None:
        return None
    token = CredentialStore(data_dir).load(enrolment.credential_store)
    if token is None:
        return None
    return SyncClient(db, enrolment.server_url, token, clock=clock, **options)  # type: ignore[arg-type]


def sync_once(db: Database, data_dir: Path, clock: Clock = system_clock) -> SyncReport:
    client = client_for(db, data_dir, clock)
    if client is None:
        return SyncReport(status=read_status(db))
    try:
        return client.sync_once()
    finally:
        client.close()


class SyncWorker(WakeableLoop):
    """Owns one thread; ``trigger()`` wakes it early (after a save), ``stop()`` ends it.

    ``on_status`` gets the status after every round; ``on_report`` (optional) the whole report
    of a round that reached a server (what was pushed, which cases pulled events changed). Both
    are called on the worker's thread.
    """

    def __init__(
        self,
        make_client: Callable[[], SyncClient | None],
        on_status: Callable[[SyncStatus], None],
        *,
        interval: float = 30.0,
        backoff: Backoff | None = None,
        db: Database | None = None,
        on_report: Callable[[SyncReport], None] | None = None,
    ) -> None:
        self.make_client = make_client
        self.on_status = on_status
        self.on_report = on_report
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.db = db
        super().__init__("dnw-sync")

    def run_round(self) -> float:
        """One round; returns how long to wait before the next."""
        client = self.make_client()
        if client is None:
            if self.db is not None:
                self.on_status(read_status(self.db))
            return self.interval
        try:
            report = client.sync_once()
        finally:
            client.close()
        if self.on_report is not None:
            self.on_report(report)
        self.on_status(report.status)
        if report.status.state in ("offline", "error"):
            return self.backoff.next_delay()
        self.backoff.reset()
        return self.interval

    def run(self) -> None:
        while not self.stopping:
            try:
                delay = self.run_round()
            except Exception as exc:  # a full disk, a broken database: retry later, keep going
                log.exception("sync round failed")
                self.on_status(SyncStatus("error", error=str(exc) or exc.__class__.__name__))
                delay = self.backoff.next_delay()
            self.wait(delay)
