"""The task runner (docs/architecture.md#lanes): all I/O off the GUI thread.

One single-thread executor owns the clerk's database work (writes go through the one writer,
``store/database.py``, which serialises them with the alert tick's and the sync worker's),
another runs the reads a clerk waits for (the queue, a case's detail, the review: on the reader
pool beside the writer, never behind a write or the alert tick), another printing, another the
network, another small local files, another long copies of the database (the daily backup),
another the alert tick. Results come back to the GUI thread through one queued signal. Tests
use ``ImmediateTaskRunner``, which runs everything in place.

Delivered on the GUI thread, a result goes to ``on_done``; then, if it is a ``Changes`` or
carries one as ``.changes`` (a use case's ``Saved``), the runner publishes it on the change bus,
so no caller has to remember to. A failure goes to ``on_error``; without one, it is logged and
shown to the user (as Anki's ``CollectionOp`` does): a failure nobody handles is never silent.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from dnw_desk.ui.changes import ChangeBus

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


def ignore_failure(_error: BaseException) -> None:
    """``on_error`` for a task whose caller reads the failure itself (``future.result()``)."""


def failure_text(error: BaseException) -> str:
    """What the user is told. The desk's own errors are sentences already (a full disk, a
    refused step); anything else is named with its reason."""
    return _("This could not be done: {reason}").format(
        reason=str(error) or error.__class__.__name__
    )


class FailureDialog:
    """Shows an unhandled failure without blocking (``open``, never ``exec``), one at a time:
    a failure repeating every few seconds (a broken disk) does not stack up dialogs."""

    def __init__(self) -> None:
        self.box: QMessageBox | None = None

    def __call__(self, error: BaseException) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if self.box is not None and self.box.isVisible():
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Could-Not-Get-It-Done Window"),
            failure_text(error),
            QMessageBox.StandardButton.Ok,
            QApplication.activeWindow(),
        )
        box.setObjectName("taskFailure")
        box.finished.connect(box.deleteLater)
        self.box = box
        box.open()


class _Delivery:
    """What both runners do with a finished task, on the GUI thread."""

    def __init__(self) -> None:
        # Set when the desk's UI context is built (``DeskUi``): the bus results publish on.
        self.bus: ChangeBus | None = None
        self.report: Failed = FailureDialog()

    def deliver(self, future: Future[Any], on_done: Done | None, on_error: Failed | None) -> None:
        error = future.exception()
        if error is not None:
            if on_error is not None:
                on_error(error)
                return
            log.error("background task failed: %s", "".join(traceback.format_exception(error)))
            self.report(error)
            return
        result = future.result()
        try:
            if on_done is not None:
                on_done(result)
        finally:
            self._publish(result)

    def _publish(self, result: Any) -> None:
        from dnw_desk.services.changes import Changes

        changes = result if isinstance(result, Changes) else getattr(result, "changes", None)
        if self.bus is not None and isinstance(changes, Changes) and changes != Changes():
            self.bus.publish(changes)


class TaskRunner(QObject, _Delivery):
    sig_completed = Signal(object)
    """A finished task's callback, to be run on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)
        _Delivery.__init__(self)
        self._executors = {
            "db": ThreadPoolExecutor(1, thread_name_prefix="dnw-db"),
            # Reads only (``Database.read()``): WAL lets them run beside the single writer.
            "read": ThreadPoolExecutor(1, thread_name_prefix="dnw-read"),
            "print": ThreadPoolExecutor(1, thread_name_prefix="dnw-print"),
            "net": ThreadPoolExecutor(1, thread_name_prefix="dnw-net"),
            # Small local files (the intake draft, device settings): never behind a long query.
            "file": ThreadPoolExecutor(1, thread_name_prefix="dnw-file"),
            # Long copies that only read the database on their own connection (the daily
            # backup): beside the writer, so a clerk's step never waits seconds behind one.
            "copy": ThreadPoolExecutor(1, thread_name_prefix="dnw-copy"),
            # The alert tick: its reads and the ladder's arithmetic beside the writer; its
            # writes take the writer's lock one short transaction at a time.
            "alerts": ThreadPoolExecutor(1, thread_name_prefix="dnw-alerts"),
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
        try:
            future = self._executors[lane].submit(fn)
        except RuntimeError:  # shut down: a timer fired while the window closes or restarts
            log.debug("a task asked for after shutdown was dropped")
            dropped: Future[Any] = Future()
            dropped.cancel()
            return dropped
        future.add_done_callback(
            lambda f: self.sig_completed.emit(lambda: self.deliver(f, on_done, on_error))
        )
        return future

    @Slot(object)
    def on_self_completed(self, callback: Callable[[], None]) -> None:
        callback()

    def shutdown(self) -> None:
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=False)


class ImmediateTaskRunner(QObject, _Delivery):
    """Runs tasks synchronously on the calling thread (tests)."""

    def __init__(self, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)
        _Delivery.__init__(self)

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
        self.deliver(future, on_done, on_error)
        return future

    def shutdown(self) -> None:
        pass
