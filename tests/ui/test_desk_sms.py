"""The failing text messages in the status bar, for the shift lead: number and reason, never the
phone; hidden once nothing fails."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from dnw_desk.services.sms import SmsService, failing_messages
from dnw_desk.sms.gateway import OutgoingSms, SmsError
from dnw_desk.ui.changes import ChangeBus
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.desk_sms import DeskSms
from dnw_desk.ui.tasks import ImmediateTaskRunner
from tests.factories import CLERK, desk_at, registration


class Refusing:
    name = "refusing"

    def send(self, message: OutgoingSms) -> str:
        raise SmsError("isv.MOBILE_NUMBER_ILLEGAL: bad", permanent=True)

    def close(self) -> None:
        pass


def test_failing_messages_show_in_the_status_bar(qtbot: QtBot, data_dir: Path) -> None:
    desk, clock = desk_at(data_dir)
    sms = SmsService(desk.db, desk.cases, desk.settings, Refusing(), clock)
    sms.plan_round()
    base = registration()
    agreed = replace(base, complainant=replace(base.complainant, consent_sms=True))
    saved = desk.cases.register(
        agreed, CLERK, categories=desk.settings.categories, units=desk.settings.units
    )
    sms.plan_round()
    sms.send_round()
    window = QMainWindow()
    qtbot.addWidget(window)
    ui = DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=CLERK)
    status = DeskSms(window, ui)  # not started: no thread in this test
    window.show()
    status.on_round_done()
    assert status.label.isVisible()
    assert "1" in status.label.text()
    tip = status.label.toolTip()
    assert saved.case.number in tip and "MOBILE_NUMBER_ILLEGAL" in tip and "13812345678" not in tip
    status.show_failing([])
    assert not status.label.isVisible()
    assert len(failing_messages(desk.db)) == 1
    status.shutdown()
    desk.close()
