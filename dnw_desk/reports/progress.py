"""Progress and cancellation for long exports (Qt-free: the GUI adapts them to its dialog)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

Progress = Callable[[int, int], None]  # (done, total); total 0 = unknown


class ExportCancelled(Exception):
    """The user cancelled; nothing was written."""


class CancelToken:
    """Set from the GUI thread, checked by the export between rows."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise ExportCancelled


def no_progress(done: int, total: int) -> None:
    pass


@contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """A temporary file next to ``out`` that replaces it only on success: a cancelled or failed
    export leaves no half-written file (and an old file of the same name untouched). The folder
    must exist: it is never created here."""
    temp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        yield temp
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
