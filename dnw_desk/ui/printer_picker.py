"""Pick a printer that is actually there instead of typing its URI (VID:PID, queue, port).

*Find printers* runs the discovery (``printing.discovery``) on the print lane, never on the GUI
thread, and lists what it found; choosing one fills in the address field, which stays editable
as the expert path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from dnw_desk.i18n import _
from dnw_desk.printing.discovery import FoundPrinter, discover_printers
from dnw_desk.ui.widgets import button, hbox

TRANSPORT_NAMES = {
    "win32": "Windows",
    "usb": "USB",
    "cups": "CUPS",
    "serial": "COM",
    "file": "/dev",
}


class PrinterPicker(QWidget):
    def __init__(
        self,
        target: QLineEdit,
        tasks: Any,
        discover: Callable[[], dict[Any, list[FoundPrinter]]] = discover_printers,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.target = target
        self.tasks = tasks
        self.discover = discover
        self.find_button = button(_("Find printers"), self.on_find_clicked)
        self.find_button.setObjectName("findPrinters")
        self.choices = QComboBox()
        self.choices.setObjectName("foundPrinters")
        self.choices.setEnabled(False)
        self.choices.addItem(_("Printers found here are listed after a search."), "")
        self.choices.activated.connect(self.on_choice_activated)
        self.setLayout(hbox(self.find_button, self.choices, None))

    @Slot()
    def on_find_clicked(self) -> None:
        self.find_button.setEnabled(False)
        self.choices.clear()
        self.choices.addItem(_("Looking for printers…"), "")
        self.tasks.run(self.discover, self._show_found, self._show_failure, lane="print")

    def _show_found(self, found: dict[Any, list[FoundPrinter]]) -> None:
        self.find_button.setEnabled(True)
        self.choices.clear()
        printers = [printer for group in found.values() for printer in group]
        if not printers:
            self.choices.addItem(_("No printer found. Type its address instead."), "")
            self.choices.setEnabled(False)
            return
        self.choices.addItem(_("Choose a printer ({n} found)").format(n=len(printers)), "")
        for printer in printers:
            kind = TRANSPORT_NAMES.get(printer.transport.value, printer.transport.value)
            self.choices.addItem(f"{kind}: {printer.label}", printer.uri)
        self.choices.setEnabled(True)

    def _show_failure(self, error: BaseException) -> None:
        self.find_button.setEnabled(True)
        self.choices.clear()
        self.choices.addItem(_("Finding printers failed: {reason}").format(reason=error), "")
        self.choices.setEnabled(False)

    @Slot(int)
    def on_choice_activated(self, index: int) -> None:
        uri = self.choices.itemData(index)
        if uri:
            self.target.setText(str(uri))
