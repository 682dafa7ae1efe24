"""Child process for the crash test: types into the intake form, waits for the autosave, then
prints ``DRAFT-SAVED`` and keeps running until the parent kills it with SIGKILL."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(data_dir: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from dnw_desk.clock import HALL_TZ, FakeClock
    from dnw_desk.local_settings import LocalSettings
    from dnw_desk.services.drafts import draft_path
    from dnw_desk.ui.screens import build_ui, build_window
    from tests.ui.conftest import CLERK, configured_desk

    app = QApplication([])
    desk = configured_desk(data_dir, FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)))
    ui, accounts = build_ui(desk, LocalSettings(printer_uri="dummy"))  # the real TaskRunner
    window, screens = build_window(ui, accounts)
    session = screens.session
    window.show()
    session.on_login_page_logged_in(accounts.authenticate(CLERK[0], CLERK[2]))
    form = session.intake.form
    form.edits["name"].setText("周𠮷")
    form.edits["phone"].setText("13812345678")
    form.suggest_category("4")
    form.edits["ysj_place"].setText("上海市浦东新区")
    form.long_edits["description"].setPlainText("第一行\n第二行")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        app.processEvents()
        path = draft_path(data_dir)
        if path.exists() and "上海市浦东新区" in path.read_text(encoding="utf-8"):
            print("DRAFT-SAVED", flush=True)
            break
        time.sleep(0.05)
    else:
        print("NO-DRAFT", flush=True)
        sys.exit(1)
    form.edits["service_item"].setText("半截")  # still typing when the power goes
    while True:
        app.processEvents()
        time.sleep(0.05)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
