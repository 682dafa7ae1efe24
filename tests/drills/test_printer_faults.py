"""Printer drills: the printer unplugged in the middle of a job."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from dnw_desk.printing.db_store import DatabaseJobStore
from dnw_desk.printing.queue import JobStatus, PrintWorker, default_print_function, enqueue, retry
from dnw_desk.printing.sample import sample_receipt
from dnw_desk.store.schema import open_database
from tests.printing.conftest import ONLINE, FakePrinter


class UnpluggedMidJob:
    """Answers the first status query, takes part of the job, then the cable comes out."""

    def __init__(self, cut_after: int = 4096) -> None:
        self.cut_after = cut_after
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        received = 0
        answered = False
        conn.settimeout(5)
        try:
            while received < self.cut_after:
                data = conn.recv(65536)
                if not data:
                    break
                if not answered and b"\x10\x04" in data:
                    conn.sendall(bytes([ONLINE[1]]))
                    answered = True
                received += len(data)
        except OSError:
            pass
        # Pulled out: the connection drops without another word.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()
        self.server.close()


@pytest.fixture
def store(data_dir: Path) -> Iterator[DatabaseJobStore]:
    store = DatabaseJobStore(open_database(data_dir))
    yield store
    store.db.close()


def test_printer_unplugged_mid_job_leaves_the_job_failed_for_retry(
    gui_app: QGuiApplication, store: DatabaseJobStore, fake_printer: type[FakePrinter]
) -> None:
    unplugged = UnpluggedMidJob()
    job = enqueue(store, sample_receipt(), "case-1")
    PrintWorker(store, default_print_function(unplugged.uri, "80mm", "raster")).process_one()
    failed = store.get(job.id)
    assert failed is not None
    assert failed.status is JobStatus.FAILED, "a job cut off mid-way must not count as printed"
    assert failed.last_error
    # Plugged back in: retry prints it.
    printer = fake_printer(ONLINE)
    retry(store, job.id)
    PrintWorker(store, default_print_function(printer.uri, "80mm", "raster")).process_one()
    done = store.get(job.id)
    assert done is not None and done.status is JobStatus.DONE
    assert len(printer.received) > 10_000
