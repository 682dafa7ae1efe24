"""Long exports off the GUI thread: a progress dialog that can cancel, a file written only
when complete (``reports.progress.atomic_output``).

Exports get their own task runner so a 100 000-row XLSX never delays the desk's single DB
worker or the receipt printer; reads use SQLite's reader pool, the one audit write goes through
the shared writer lock as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from dnw_desk.i18n import _
from dnw_desk.reports.progress import CancelToken, ExportCancelled
from dnw_desk.ui.tasks import TaskRunner

Job = Callable[[Callable[[int, int], None], CancelToken], Any]


class ExportRun(QObject):
    sig_progress = Signal(int, int)
    """(done, total) from the worker; delivered queued on the GUI thread."""

    sig_finished = Signal(object)
    """The job's result."""

    sig_failed = Signal(object)
    """The exception (``ExportCancelled`` when the user cancelled)."""

    def __init__(self, tasks: Any, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.token = CancelToken()
        self.dialog = QProgressDialog(title, _("Cancel"), 0, 0, parent)
        self.dialog.setWindowTitle(_("Export"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.on_dialog_canceled)
        self.sig_progress.connect(self.on_self_progress)

    def start(self, job: Job) -> None:
        def work() -> Any:
            return job(self.sig_progress.emit, self.token)

        self.tasks.run(work, self._done, self._failed)

    @Slot()
    def on_dialog_canceled(self) -> None:
        self.token.cancel()
        self.dialog.setLabelText(_("Cancelling…"))

    @Slot(int, int)
    def on_self_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))
        self.dialog.setLabelText(_("{done} of {total} rows written").format(done=done, total=total))

    def _done(self, result: Any) -> None:
        self.dialog.close()
        self.sig_finished.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.dialog.close()
        self.sig_failed.emit(error)


def is_cancelled(error: BaseException) -> bool:
    return isinstance(error, ExportCancelled)


def export_runner(tasks: Any, parent: QObject) -> Any:
    """A separate runner for exports; in tests (synchronous runner) the same one."""
    return TaskRunner(parent) if isinstance(tasks, TaskRunner) else tasks
