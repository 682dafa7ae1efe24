"""The task runner (docs/architecture.md#lanes): all I/O off the GUI thread.

One single-thread executor owns database work (so there is one writer), another runs printing,
a third the network. Results come back to the GUI thread through one queued signal. Tests use
``ImmediateTaskRunner``, which runs everything in place.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class TaskRunner(QObject):
    sig_completed = Signal(object)
    """A finished task's callback, to be run on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executors = {
            "db": ThreadPoolExecutor(1, thread_name_prefix="dnw-db"),
            "print": ThreadPoolExecutor(1, thread_name_prefix="dnw-print"),
            "net": ThreadPoolExecutor(1, thread_name_prefix="dnw-net"),
            # Small local files (the intake draft, device settings): never behind a long query.
            "file": ThreadPoolExecutor(1, thread_name_prefix="dnw-file"),
        }
        self.sig_completed.connect(self.on_self_completed)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
        *,
        lane: str = "db",
    ) -> Future[Any]:
        future = self._executors[lane].submit(fn)
        future.add_done_callback(
            lambda f: self.sig_completed.emit(lambda: _deliver(f, on_done, on_error))
        )
        return future

    @Slot(object)
    def on_self_completed(self, callback: Callable[[], None]) -> None:
        callback()

    def shutdown(self) -> None:
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=False)


def _deliver(future: Future[Any], on_done: Done | None, on_error: Failed | None) -> None:
    error = future.exception()
    if error is None:
        if on_done is not None:
            on_done(future.result())
        return
    if on_error is not None:
        on_error(error)
    else:
        log.error("background task failed: %s", "".join(traceback.format_exception(error)))


class ImmediateTaskRunner(QObject):
    """Runs tasks synchronously on the calling thread (tests)."""

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
        *,
        lane: str = "db",
    ) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn())
        except Exception as exc:  # delivered to on_error like the real runner
            future.set_exception(exc)
        _deliver(future, on_done, on_error)
        return future

    def shutdown(self) -> None:
        pass
