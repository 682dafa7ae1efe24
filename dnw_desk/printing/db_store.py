"""``PrintJobStore`` on the desk database: each method is one committed transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from dnw_desk.printing.queue import JobKind, JobStatus, PrintJob
from dnw_desk.store.database import Database
from dnw_desk.store.print_queue import print_jobs


def _job(row: Any) -> PrintJob:
    return PrintJob(
        id=row.id,
        case_id=row.case_id,
        kind=JobKind(row.kind),
        copy_number=row.copy_number,
        payload=dict(row.payload),
        status=JobStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class DatabaseJobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, job: PrintJob) -> None:
        with self.db.write() as conn:
            conn.execute(
                insert(print_jobs).values(
                    id=job.id,
                    case_id=job.case_id,
                    kind=job.kind.value,
                    copy_number=job.copy_number,
                    payload=job.payload,
                    status=job.status.value,
                    attempts=job.attempts,
                    last_error=job.last_error,
                    created_at=job.created_at,
                    updated_at=job.updated_at,
                )
            )

    def claim_next(self, now: datetime) -> PrintJob | None:
        with self.db.write() as conn:
            row = conn.execute(
                select(print_jobs)
                .where(print_jobs.c.status == JobStatus.QUEUED.value)
                .order_by(print_jobs.c.created_at, print_jobs.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            conn.execute(
                update(print_jobs)
                .where(print_jobs.c.id == row.id)
                .values(status=JobStatus.PRINTING.value, attempts=row.attempts + 1, updated_at=now)
            )
            claimed = conn.execute(select(print_jobs).where(print_jobs.c.id == row.id)).one()
        return _job(claimed)

    def mark(self, job_id: str, status: JobStatus, error: str | None, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                update(print_jobs)
                .where(print_jobs.c.id == job_id)
                .values(status=status.value, last_error=error, updated_at=now)
            )

    def get(self, job_id: str) -> PrintJob | None:
        with self.db.read() as conn:
            row = conn.execute(select(print_jobs).where(print_jobs.c.id == job_id)).first()
        return _job(row) if row else None

    def open_jobs(self) -> list[PrintJob]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(print_jobs)
                .where(print_jobs.c.status != JobStatus.DONE.value)
                .order_by(print_jobs.c.created_at, print_jobs.c.id)
            ).all()
        return [_job(row) for row in rows]

    def recover(self, now: datetime) -> int:
        with self.db.write() as conn:
            result = conn.execute(
                update(print_jobs)
                .where(print_jobs.c.status == JobStatus.PRINTING.value)
                .values(status=JobStatus.QUEUED.value, updated_at=now)
            )
        return int(result.rowcount)
