"""Run in a child process on Qt's offscreen platform with two screens (see
test_citizen_screen.py): the desk with its citizen screen, one case typed and saved."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.i18n import set_language
from dnw_desk.local_settings import LocalSettings
from dnw_desk.services.desk import Desk
from dnw_desk.services.handling import handling_for
from dnw_desk.ui.citizen_screen import CitizenMirror, CitizenScreen
from dnw_desk.ui.screens import build_ui, build_window
from dnw_desk.ui.tasks import ImmediateTaskRunner
from tests.services.test_accountability import _fed_back
from tests.ui.conftest import CLERK, configured_desk


def settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def rate(app: QApplication, desk: Desk, citizen: CitizenScreen, result: dict[str, object]) -> None:
    """The citizen touches 不满意, one reason and submits; nothing is saved before that."""
    case_id = saved_case_id(desk)
    before = [e.type.value for e in desk.cases.events(case_id)]
    citizen.findChild(QPushButton, "rate_unsatisfied").click()
    settle(app, 0.1)
    result["rating_asked"] = "rating" not in before and "rating" not in [
        e.type.value for e in desk.cases.events(case_id)
    ]
    citizen.rating.reasons[0].click()
    citizen.findChild(QLineEdit, "rateReason").setText("窗口人少")
    citizen.grab().save(str(Path(result["out"]).with_suffix(".rating.png")))
    citizen.findChild(QPushButton, "rateSubmit").click()
    settle(app)
    result["thanks"] = citizen.texts()
    [rating] = [e for e in desk.cases.events(case_id) if e.type.value == "rating"]
    result["rating"] = {"type": rating.type.value, **rating.data}


def rate_handling(
    app: QApplication, desk: Desk, mirror: CitizenMirror, result: dict[str, object]
) -> None:
    """The answered case: the clerk asks at the counter, the citizen touches 非常满意."""
    case_id = saved_case_id(desk)
    _fed_back(desk, desk.clock, case_id)
    mirror.ask_rating(case_id, "AH08")
    settle(app, 0.1)
    result["asked_handling"] = mirror.window.texts()
    mirror.window.findChild(QPushButton, "rate_very_satisfied").click()
    settle(app)
    [*_, rating] = [e for e in desk.cases.events(case_id) if e.type.value == "rating"]
    result["handling_rating"] = {"status": handling_for(desk).view(case_id).status, **rating.data}


def saved_case_id(desk: Desk) -> str:
    with desk.db.read() as conn:
        return str(conn.exec_driver_sql("SELECT id FROM cases").scalar_one())


def main(data_dir: str, out: str) -> None:
    app = QApplication(sys.argv[:1])
    set_language("zh_CN")  # as the desk starts (its default language)
    desk = configured_desk(Path(data_dir), FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)))
    ui, accounts = build_ui(desk, LocalSettings(printer_uri="dummy"), ImmediateTaskRunner())
    window, screens = build_window(ui, accounts)
    window.show()
    result: dict[str, object] = {"screens": [s.name() for s in app.screens()], "out": out}
    mirror = screens.citizen
    assert mirror is not None, "no citizen screen on a two-screen PC"
    citizen = mirror.window
    settle(app)
    result["citizen_on"] = citizen.screen().name()
    result["citizen_geometry"] = list(citizen.geometry().getRect())
    result["idle"] = citizen.texts()
    screens.session.on_login_page_logged_in(accounts.authenticate(CLERK[0], CLERK[2]))
    form = screens.session.intake.form
    form.edits["name"].setText("李四")
    form.edits["phone"].setText("13912345678")
    form.suggest_category("3")
    form.edits["service_item"].setText("社保转移")
    form.edits["lead_unit"].setText("省公安厅")
    settle(app)
    result["typing"] = citizen.texts()
    citizen.grab().save(str(Path(out).with_suffix(".typing.png")))
    screens.session.intake.on_save_triggered()
    settle(app)
    result["saved"] = citizen.texts()
    citizen.grab().save(str(Path(out).with_suffix(".png")))
    rate(app, desk, citizen, result)
    rate_handling(app, desk, mirror, result)
    screens.session.lock()
    settle(app)
    result["locked"] = citizen.texts()
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    window.close()
    citizen.close()
    ui.tasks.shutdown()
    desk.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
