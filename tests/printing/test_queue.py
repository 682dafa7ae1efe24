"""The print worker against a fake network printer: failures stay queued with the reason."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtGui import QGuiApplication

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.printing.model import ReceiptData
from dnw_desk.printing.queue import (
    JobKind,
    JobStatus,
    MemoryJobStore,
    PrintJob,
    PrintWorker,
    data_from_payload,
    default_print_function,
    enqueue,
    payload_for,
    reprint,
    retry,
)
from dnw_desk.printing.sample import sample_receipt, sample_slip

from .conftest import ONLINE, FakePrinter

CLOCK = FakeClock(datetime(2026, 11, 24, 10, 33, tzinfo=HALL_TZ))


def test_payload_round_trips() -> None:
    for data in (sample_receipt(), sample_slip()):
        assert data_from_payload(payload_for(data)) == data


def test_silent_printer_leaves_the_job_queued_with_the_reason(
    gui_app: QGuiApplication, fake_printer: type[FakePrinter]
) -> None:
    printer = fake_printer(silent=True)
    store = MemoryJobStore()
    job = enqueue(store, sample_receipt(), "case-1", CLOCK)
    worker = PrintWorker(store, default_print_function(printer.uri, "80mm", "raster"), CLOCK)
    started = time.monotonic()
    assert worker.process_one()
    assert time.monotonic() - started < 3.0
    failed = store.get(job.id)
    assert failed is not None
    assert failed.status is JobStatus.FAILED and failed.attempts == 1
    assert failed.last_error and ("answer" in failed.last_error or "应答" in failed.last_error)
    assert [j.id for j in store.open_jobs()] == [job.id]
    assert b"\x1dv0" not in printer.received  # nothing was printed


def test_retry_then_print_on_an_online_printer(
    gui_app: QGuiApplication, fake_printer: type[FakePrinter]
) -> None:
    silent = fake_printer(silent=True)
    online = fake_printer(ONLINE)
    store = MemoryJobStore()
    job = enqueue(store, sample_receipt(), "case-1", CLOCK)
    PrintWorker(store, default_print_function(silent.uri, "80mm", "raster"), CLOCK).process_one()
    retry(store, job.id, CLOCK)
    worker = PrintWorker(store, default_print_function(online.uri, "58mm", "text"), CLOCK)
    assert worker.process_one()
    done = store.get(job.id)
    assert done is not None and done.status is JobStatus.DONE and done.attempts == 2
    assert b"\x1c&" in online.received
    assert store.open_jobs() == []


def test_reprint_queues_a_new_copy() -> None:
    store = MemoryJobStore()
    first = enqueue(store, sample_receipt(), "case-1", CLOCK)
    store.mark(first.id, JobStatus.DONE, None, CLOCK())
    copy = reprint(store, first.id, 2, CLOCK)
    assert copy.kind is JobKind.REPRINT and copy.copy_number == 2
    data = data_from_payload(copy.payload)
    assert isinstance(data, ReceiptData) and data.is_reprint


def test_a_job_interrupted_by_a_crash_is_requeued() -> None:
    store = MemoryJobStore()
    job = enqueue(store, sample_receipt(), "case-1", CLOCK)
    assert store.claim_next(CLOCK()) is not None  # the app died while printing this
    printed: list[object] = []
    worker = PrintWorker(store, printed.append, CLOCK)
    worker.start()
    try:
        worker.wake()
        deadline = time.monotonic() + 2
        while not printed and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        worker.stop()
    assert len(printed) == 1
    done = store.get(job.id)
    assert done is not None and done.status is JobStatus.DONE


class _WriterBusyStore(MemoryJobStore):
    """A store whose writer is taken (a long alert refresh on the DB lane): claiming blocks."""

    def claim_next(self, now: datetime) -> PrintJob | None:
        raise AssertionError("the worker waited for the database's writer to claim a job")


def test_a_handed_job_prints_without_claiming_it_from_the_store() -> None:
    store = _WriterBusyStore()
    printed: list[object] = []
    job = enqueue(store, sample_receipt(), "case-1", CLOCK, claimed=True)
    stored = store.get(job.id)
    assert stored is not None and stored.status is JobStatus.PRINTING and stored.attempts == 1
    worker = PrintWorker(store, printed.append, CLOCK)
    worker.hand(job)
    assert worker.process_one()
    assert printed == [sample_receipt()]
    done = store.get(job.id)
    assert done is not None and done.status is JobStatus.DONE


def test_a_handed_job_the_app_never_printed_is_printed_at_the_next_start() -> None:
    store = MemoryJobStore()
    job = enqueue(store, sample_receipt(), "case-1", CLOCK, claimed=True)
    # The app died before the worker took it: the next start puts it back in the queue.
    assert store.recover(CLOCK()) == 1
    requeued = store.get(job.id)
    assert requeued is not None and requeued.status is JobStatus.QUEUED
