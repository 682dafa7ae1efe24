"""The desk's print seam: how a receipt gets from the saved case to the print worker."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from dnw_desk.printing.queue import JobStatus, MemoryJobStore, PrintJob
from dnw_desk.printing.sample import sample_receipt
from dnw_desk.ui.print_jobs import PrintJobs
from dnw_desk.ui.tasks import ImmediateTaskRunner


class _WriterBusyStore(MemoryJobStore):
    """Claiming would wait for the database's writer (a long alert refresh on the DB lane)."""

    def claim_next(self, now: datetime) -> PrintJob | None:
        raise AssertionError("the worker claimed the receipt from the store")


def test_a_receipt_is_handed_to_the_worker_as_it_is_queued(qtbot: QtBot, tmp_path: Path) -> None:
    store = _WriterBusyStore()
    jobs = PrintJobs(ImmediateTaskRunner(), tmp_path, "dummy", store=store)
    jobs._submit(sample_receipt(), "case-1")
    [queued] = store.open_jobs()
    assert queued.status is JobStatus.PRINTING and queued.attempts == 1  # stored claimed
    assert jobs.worker.process_one()  # the handed job: no claim
    assert b"\x1dv0" in jobs.dummy.output
    printed = store.get(queued.id)
    assert printed is not None and printed.status is JobStatus.DONE
