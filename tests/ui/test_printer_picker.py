"""The printer picker: discovery off the GUI thread, a found printer fills in the address."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from dnw_desk.local_settings import LocalSettings
from dnw_desk.printing.discovery import FoundPrinter
from dnw_desk.printing.uri import Transport
from dnw_desk.services.desk import open_desk
from dnw_desk.ui.printer_picker import PrinterPicker
from dnw_desk.ui.screens import build_ui
from dnw_desk.ui.settings_dialog import SettingsDialog
from dnw_desk.ui.setup_wizard import SetupWizard
from dnw_desk.ui.tasks import ImmediateTaskRunner

from .conftest import ADMIN, DeskHarness

FOUND = {
    Transport.USB: [FoundPrinter(Transport.USB, "usb://0fe6:811e", "POS80 (0fe6:811e)")],
    Transport.CUPS: [FoundPrinter(Transport.CUPS, "cups://receipt", "CUPS: receipt")],
    Transport.SERIAL: [],
}


class RecordingRunner(ImmediateTaskRunner):
    """Runs in place, but remembers the lane each task asked for."""

    lanes: list[str]

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Any = None,
        on_error: Any = None,
        *,
        lane: str = "db",
    ) -> Future[Any]:
        self.lanes = [*getattr(self, "lanes", []), lane]
        return super().run(fn, on_done, on_error, lane=lane)


def test_found_printer_fills_in_the_address(qtbot: QtBot) -> None:
    target = QLineEdit("preview")
    runner = RecordingRunner()
    picker = PrinterPicker(target, runner, discover=lambda: FOUND)
    qtbot.addWidget(picker)
    picker.on_find_clicked()
    assert runner.lanes == ["print"]  # never the GUI thread, never the database lane
    assert picker.choices.count() == 3 and picker.find_button.isEnabled()
    picker.choices.activated.emit(2)
    assert target.text() == "cups://receipt"
    picker.choices.activated.emit(0)  # the "choose" line changes nothing
    assert target.text() == "cups://receipt"


def test_nothing_found_keeps_the_typed_address(qtbot: QtBot) -> None:
    target = QLineEdit("tcp://192.168.1.50")
    picker = PrinterPicker(target, ImmediateTaskRunner(), discover=lambda: {})
    qtbot.addWidget(picker)
    picker.on_find_clicked()
    assert not picker.choices.isEnabled()
    assert target.text() == "tcp://192.168.1.50"


def test_discovery_failure_is_shown(qtbot: QtBot) -> None:
    def broken() -> dict[Transport, list[FoundPrinter]]:
        raise OSError("no bus")

    picker = PrinterPicker(QLineEdit(), ImmediateTaskRunner(), discover=broken)
    qtbot.addWidget(picker)
    picker.on_find_clicked()
    assert "no bus" in picker.choices.itemText(0) and picker.find_button.isEnabled()


def test_settings_dialog_and_wizard_offer_the_picker(
    qtbot: QtBot, harness: DeskHarness, data_dir: Path
) -> None:
    harness.login(qtbot, ADMIN[0], ADMIN[2])
    dialog = SettingsDialog(harness.ui, harness.accounts, harness.window)
    qtbot.addWidget(dialog)
    assert dialog.findChild(PrinterPicker).target is dialog.printer_uri
    desk = open_desk(data_dir / "wizard")
    ui, _accounts = build_ui(desk, LocalSettings(), ImmediateTaskRunner())
    wizard = SetupWizard(ui)
    qtbot.addWidget(wizard)
    assert wizard.printer_page.findChild(PrinterPicker).target is wizard.printer_page.uri
    desk.close()
