"""The retention purge on the desk: daily while it runs, and ``dnw-desk privacy purge``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dnw_desk.domain.retention import purge_cutoff
from dnw_desk.store.blobs import BlobStore
from dnw_desk.store.database import Database
from dnw_desk.store.retention import (
    DueCase,
    attachments_only_of,
    checkpoint,
    due_cases,
    purge_case,
)

BATCH = 200
# A run purges at most this many cases (the rest go in the next run): bounded work on the DB
# lane, whatever the backlog after a long time without purging.
MAX_PER_RUN = 50_000


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    numbers: tuple[str, ...]
    dry_run: bool

    @property
    def count(self) -> int:
        return len(self.numbers)


def purge_personal_data(
    db: Database, retention_days: int, now: datetime, *, dry_run: bool = False
) -> PurgeReport:
    """Erase the personal data of every case that is due (see ``domain.retention``)."""
    cutoff = purge_cutoff(now, retention_days)
    if dry_run:
        with db.read() as conn:
            due = due_cases(conn, cutoff, MAX_PER_RUN)
        return PurgeReport(cutoff, tuple(case.number for case in due), True)
    purged: list[str] = []
    for _batch in range(MAX_PER_RUN // BATCH):
        with db.read() as conn:
            due = due_cases(conn, cutoff, BATCH)
        if not due:
            break
        for case in due:
            if _purge_one(db, case, cutoff, now, retention_days):
                purged.append(case.number)
    if purged:
        checkpoint(db.path)
    return PurgeReport(cutoff, tuple(purged), False)


def _purge_one(
    db: Database, case: DueCase, cutoff: datetime, now: datetime, retention_days: int
) -> bool:
    with db.write() as conn:
        # Checked again under the write lock: a change made since the read keeps the case.
        if not due_cases(conn, cutoff, 1, case_id=case.id):
            return False
        files = attachments_only_of(conn, case.id)
        purge_case(conn, case, now, retention_days)
    # Deleted after the commit, so a purge that rolled back never loses a case's proof.
    blobs = BlobStore.for_data_dir(db.path.parent)
    for sha256 in files:
        blobs.delete(sha256)
    return True
