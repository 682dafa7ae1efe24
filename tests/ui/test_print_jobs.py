"""The desk's print seam: how a receipt gets from the saved case to the print worker."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

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


def _saved(case_id: str) -> Any:
    return SimpleNamespace(case=SimpleNamespace(id=case_id))


def test_the_receipt_is_queued_in_the_save_s_own_lane_task(qtbot: QtBot, tmp_path: Path) -> None:
    # Queued from the GUI thread after the save came back, the receipt waited behind whatever
    # was put on the DB lane meanwhile (a repeat-visitor lookup, an alert refresh).
    store = _WriterBusyStore()
    jobs = PrintJobs(ImmediateTaskRunner(), tmp_path, "dummy", store=store)
    saved = _saved("case-1")
    work = jobs.save_then_print(lambda: saved, lambda case: sample_receipt())
    assert store.open_jobs() == []
    assert work() is saved
    [queued] = store.open_jobs()  # by the task itself: no GUI event has run yet
    assert queued.case_id == "case-1" and queued.status is JobStatus.PRINTING
    assert jobs.worker.process_one()
    assert b"\x1dv0" in jobs.dummy.output


class _BrokenStore(MemoryJobStore):
    def add(self, job: PrintJob) -> None:
        raise OSError("disk full")


def test_a_queue_failure_after_the_save_keeps_the_save(qtbot: QtBot, tmp_path: Path) -> None:
    jobs = PrintJobs(ImmediateTaskRunner(), tmp_path, "dummy", store=_BrokenStore())
    states: list[tuple[str, str]] = []
    jobs.sig_state.connect(lambda state, message: states.append((state, message)))
    saved = _saved("case-2")
    assert jobs.save_then_print(lambda: saved, lambda case: sample_receipt())() is saved
    qtbot.waitUntil(lambda: bool(states))
    assert states[-1][0] == "error" and "disk full" in states[-1][1]
