"""Composition root of the desk GUI: builds the objects and wires them."""

from __future__ import annotations

import sys
from pathlib import Path

from dnw_desk.i18n import _


def run_desk(data_dir: Path) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from dnw_desk.services.desk import open_desk
    from dnw_desk.store.database import StoreError
    from dnw_desk.store.schema import InstanceLock, ensure_data_dir
    from dnw_desk.ui.changes import ChangeBus
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.main_window import MainWindow
    from dnw_desk.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("dnw-desk")
    lock = InstanceLock(data_dir)
    try:
        ensure_data_dir(data_dir)
        lock.acquire()
        desk = open_desk(data_dir)
    except StoreError as exc:
        QMessageBox.critical(None, _("dnw-desk cannot start"), str(exc))
        print(str(exc), file=sys.stderr)
        return 2
    tasks = TaskRunner()
    ui = DeskUi(desk=desk, tasks=tasks, bus=ChangeBus())
    window = MainWindow(ui)
    window.show()
    try:
        return app.exec()
    finally:
        tasks.shutdown()
        desk.close()
        lock.release()
