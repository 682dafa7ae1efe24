"""The print queue: jobs persisted before printing, a worker thread that prints them.

The case is saved first; then a job is queued (in the database, see ``PrintJobStore``), and the
worker checks the printer, sends the job and records the outcome. A printer that is offline, out
of paper or silent leaves the job *failed* with the reason, still in the queue for *retry*; a
*reprint* queues a new copy (补打) of a finished job. A job found *printing* at start-up (the app
died mid-job) goes back to *queued*, so a crash loses no pending job.

Plain ``threading``, no Qt: the GUI learns of outcomes through the ``on_done`` callback (the desk
forwards it to the GUI thread with a queued signal).
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dnw_desk.clock import Clock, system_clock
from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData, TestPageData

log = logging.getLogger(__name__)

DocumentData = ReceiptData | NotAcceptedSlipData | TestPageData


class JobKind(enum.StrEnum):
    RECEIPT = "receipt"
    REPRINT = "reprint"
    SLIP = "slip"
    TEST = "test"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class PrintJob:
    id: str
    case_id: str | None
    kind: JobKind
    copy_number: int
    payload: dict[str, Any]
    status: JobStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class PrintJobStore(Protocol):
    """Where jobs live. Every method is one committed transaction."""

    def add(self, job: PrintJob) -> None: ...

    def claim_next(self, now: datetime) -> PrintJob | None:
        """The oldest queued job, switched to *printing* with one more attempt."""
        ...

    def mark(self, job_id: str, status: JobStatus, error: str | None, now: datetime) -> None: ...

    def get(self, job_id: str) -> PrintJob | None: ...

    def open_jobs(self) -> list[PrintJob]:
        """Queued, printing and failed jobs, oldest first."""
        ...

    def recover(self, now: datetime) -> int:
        """After a crash: jobs left *printing* go back to *queued*; returns how many."""
        ...


# --- payloads: the layout data as JSON, so a job can be printed again after a restart ---

_TYPES: dict[str, type[ReceiptData] | type[NotAcceptedSlipData] | type[TestPageData]] = {
    "receipt": ReceiptData,
    "slip": NotAcceptedSlipData,
    "test": TestPageData,
}


def payload_for(data: DocumentData) -> dict[str, Any]:
    kind = {ReceiptData: "receipt", NotAcceptedSlipData: "slip", TestPageData: "test"}[type(data)]
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(data):
        value = getattr(data, field.name)
        if isinstance(value, datetime):
            value = {"datetime": value.isoformat()}
        elif isinstance(value, tuple):
            value = list(value)
        fields[field.name] = value
    return {"type": kind, "fields": fields}


def data_from_payload(payload: dict[str, Any]) -> DocumentData:
    cls = _TYPES[payload["type"]]
    values: dict[str, Any] = {}
    for name, value in payload["fields"].items():
        if isinstance(value, dict) and "datetime" in value:
            value = datetime.fromisoformat(value["datetime"])
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return cls(**values)


def _kind_of(data: DocumentData) -> JobKind:
    if isinstance(data, ReceiptData):
        return JobKind.REPRINT if data.is_reprint else JobKind.RECEIPT
    return JobKind.SLIP if isinstance(data, NotAcceptedSlipData) else JobKind.TEST


def enqueue(
    store: PrintJobStore,
    data: DocumentData,
    case_id: str | None,
    clock: Clock = system_clock,
    *,
    claimed: bool = False,
) -> PrintJob:
    """``claimed``: stored already *printing* (first attempt), for ``PrintWorker.hand``; a crash
    before it printed puts it back in the queue like any job left printing."""
    now = clock()
    job = PrintJob(
        id=str(uuid.uuid4()),
        case_id=case_id,
        kind=_kind_of(data),
        copy_number=data.copy_number if isinstance(data, ReceiptData) else 1,
        payload=payload_for(data),
        status=JobStatus.PRINTING if claimed else JobStatus.QUEUED,
        attempts=1 if claimed else 0,
        last_error=None,
        created_at=now,
        updated_at=now,
    )
    store.add(job)
    return job


def retry(store: PrintJobStore, job_id: str, clock: Clock = system_clock) -> None:
    """Put a failed job back in the queue (same copy number: it never printed)."""
    job = store.get(job_id)
    if job is None or job.status is not JobStatus.FAILED:
        raise ValueError("only a failed job can be retried")
    store.mark(job_id, JobStatus.QUEUED, job.last_error, clock())


def reprint(
    store: PrintJobStore, job_id: str, copy_number: int, clock: Clock = system_clock
) -> PrintJob:
    """Queue another copy (补打) of a receipt. ``copy_number`` comes from the case's
    ``receipt_printed`` events, which the service owns."""
    job = store.get(job_id)
    if job is None:
        raise ValueError("no such print job")
    data = data_from_payload(job.payload)
    if not isinstance(data, ReceiptData):
        return enqueue(store, data, job.case_id, clock)
    return enqueue(store, dataclasses.replace(data, copy_number=copy_number), job.case_id, clock)


# --- the worker ---

PrintFunction = Callable[[DocumentData], None]
"""Renders and sends one document; raises ``PrinterError`` (or anything) when it did not print."""


def default_print_function(
    printer_uri: str, profile_name: str, mode: str, deadline: float | None = None
) -> PrintFunction:
    """``deadline``: seconds one job may take on any transport (default ``JOB_DEADLINE``)."""
    from dnw_desk.printing.connection import JOB_DEADLINE, STATUS_TIMEOUT, send_job
    from dnw_desk.printing.escpos_out import profile_named
    from dnw_desk.printing.jobs import OutputMode, escpos_bytes, layout_for
    from dnw_desk.printing.uri import parse_printer_uri

    address = parse_printer_uri(printer_uri)
    profile = profile_named(profile_name)

    def print_document(data: DocumentData) -> None:
        job = escpos_bytes(layout_for(data), profile, OutputMode(mode))
        send_job(address, job, STATUS_TIMEOUT, JOB_DEADLINE if deadline is None else deadline)

    return print_document


class PrintWorker:
    """Prints queued jobs one at a time on its own thread. ``wake()`` after enqueueing."""

    def __init__(
        self,
        store: PrintJobStore,
        print_document: PrintFunction,
        clock: Clock = system_clock,
        on_done: Callable[[PrintJob], None] | None = None,
    ) -> None:
        self.store = store
        self.print_document = print_document
        self.clock = clock
        self.on_done = on_done
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._handed: collections.deque[PrintJob] = collections.deque()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        recovered = self.store.recover(self.clock())
        if recovered:
            log.info("requeued %d print job(s) interrupted by a previous exit", recovered)
        thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
        thread.start()
        # Published only once started: ``stop`` on the GUI thread may run meanwhile (a quick
        # exit), and joining a thread that has not started raises.
        self._thread = thread

    def wake(self) -> None:
        self._wake.set()

    def hand(self, job: PrintJob) -> None:
        """Print ``job`` (stored claimed, see ``enqueue``) next, from any thread: the worker
        needs no write transaction to claim it, so it never waits for the database's writer
        (a long alert refresh) before the receipt prints."""
        self._handed.append(job)
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            while not self._stop.is_set() and self.process_one():
                pass
            self._wake.wait(timeout=30)
            self._wake.clear()

    def process_one(self) -> bool:
        """Print the next handed or queued job, if any. Returns whether there was one."""
        try:
            job: PrintJob | None = self._handed.popleft()
        except IndexError:
            job = self.store.claim_next(self.clock())
        if job is None:
            return False
        error: str | None = None
        try:
            self.print_document(data_from_payload(job.payload))
        except Exception as exc:  # the reason goes to the clerk; the job stays in the queue
            error = str(exc) or exc.__class__.__name__
            log.warning("print job %s failed (attempt %d)", job.id, job.attempts)
        status = JobStatus.FAILED if error else JobStatus.DONE
        self.store.mark(job.id, status, error, self.clock())
        finished = self.store.get(job.id)
        if self.on_done is not None and finished is not None:
            self.on_done(finished)
        return True


class MemoryJobStore:
    """A ``PrintJobStore`` in memory: for tests and the preview-only desk."""

    def __init__(self) -> None:
        self._jobs: dict[str, PrintJob] = {}
        self._lock = threading.Lock()

    def add(self, job: PrintJob) -> None:
        with self._lock:
            self._jobs[job.id] = job

    def claim_next(self, now: datetime) -> PrintJob | None:
        with self._lock:
            queued = [job for job in self._jobs.values() if job.status is JobStatus.QUEUED]
            if not queued:
                return None
            job = min(queued, key=lambda j: j.created_at)
            claimed = dataclasses.replace(
                job, status=JobStatus.PRINTING, attempts=job.attempts + 1, updated_at=now
            )
            self._jobs[job.id] = claimed
            return claimed

    def mark(self, job_id: str, status: JobStatus, error: str | None, now: datetime) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = dataclasses.replace(
                job, status=status, last_error=error, updated_at=now
            )

    def get(self, job_id: str) -> PrintJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def open_jobs(self) -> list[PrintJob]:
        with self._lock:
            jobs = [job for job in self._jobs.values() if job.status is not JobStatus.DONE]
        return sorted(jobs, key=lambda j: j.created_at)

    def recover(self, now: datetime) -> int:
        with self._lock:
            stuck = [j for j in self._jobs.values() if j.status is JobStatus.PRINTING]
            for job in stuck:
                self._jobs[job.id] = dataclasses.replace(
                    job, status=JobStatus.QUEUED, updated_at=now
                )
        return len(stuck)
