"""The print queue on the desk database: the same protocol as the memory store, plus crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.printing.db_store import DatabaseJobStore
from dnw_desk.printing.queue import (
    JobStatus,
    PrintWorker,
    data_from_payload,
    enqueue,
    reprint,
    retry,
)
from dnw_desk.printing.sample import sample_receipt
from dnw_desk.store.schema import open_database

CLOCK = FakeClock(datetime(2026, 11, 24, 10, 33, tzinfo=HALL_TZ))
ROOT = Path(__file__).resolve().parents[2]


def test_jobs_survive_a_restart_and_print_in_order(data_dir: Path) -> None:
    store = DatabaseJobStore(open_database(data_dir))
    first = enqueue(store, sample_receipt(), "case-1", CLOCK)
    CLOCK.advance(seconds=1)
    second = enqueue(store, sample_receipt(copy_number=2), "case-1", CLOCK)
    store.db.close()

    store = DatabaseJobStore(open_database(data_dir))
    assert [job.id for job in store.open_jobs()] == [first.id, second.id]
    printed: list[int] = []
    worker = PrintWorker(store, lambda data: printed.append(data.copy_number), CLOCK)  # type: ignore[union-attr]
    while worker.process_one():
        pass
    assert printed == [1, 2]
    assert store.open_jobs() == []
    assert data_from_payload(store.get(first.id).payload) == sample_receipt()  # type: ignore[union-attr]


def test_failure_keeps_the_reason_then_retry_and_reprint(data_dir: Path) -> None:
    store = DatabaseJobStore(open_database(data_dir))
    job = enqueue(store, sample_receipt(), "case-1", CLOCK)

    def offline(_data: object) -> None:
        raise RuntimeError("打印机缺纸")

    PrintWorker(store, offline, CLOCK).process_one()
    failed = store.get(job.id)
    assert failed is not None
    assert (failed.status, failed.attempts, failed.last_error) == (
        JobStatus.FAILED,
        1,
        "打印机缺纸",
    )
    retry(store, job.id, CLOCK)
    PrintWorker(store, lambda _d: None, CLOCK).process_one()
    done = store.get(job.id)
    assert done is not None and (done.status, done.attempts) == (JobStatus.DONE, 2)
    copy = reprint(store, job.id, 2, CLOCK)
    assert copy.copy_number == 2 and store.open_jobs()[0].id == copy.id


def test_a_job_killed_mid_print_is_requeued_at_start(data_dir: Path) -> None:
    open_database(data_dir).close()
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from dnw_desk.printing.db_store import DatabaseJobStore\n"
        "from dnw_desk.printing.queue import PrintWorker, enqueue\n"
        "from dnw_desk.printing.sample import sample_receipt\n"
        "from dnw_desk.store.schema import open_database\n"
        "store = DatabaseJobStore(open_database(Path(sys.argv[1])))\n"
        "enqueue(store, sample_receipt(), 'case-1')\n"
        "def stuck(_data):\n"
        "    print('printing', flush=True); time.sleep(60)\n"
        "PrintWorker(store, stuck).process_one()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "printing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    store = DatabaseJobStore(open_database(data_dir))
    (job,) = store.open_jobs()
    assert job.status is JobStatus.PRINTING
    assert store.recover(CLOCK()) == 1
    printed: list[object] = []
    PrintWorker(store, printed.append, CLOCK).process_one()
    assert len(printed) == 1 and store.open_jobs() == []
