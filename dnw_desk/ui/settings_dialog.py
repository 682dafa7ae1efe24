"""The admin's settings: hall and window, hours and deadline rule, categories, units, alerts,
printer (with a test print), language and accounts. Clerks and shift leads cannot open it.

``ask`` returns the new business settings (stored in the database, they sync) and the new
device-local settings (printer, language, large font); the caller saves them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)

from dnw_desk.domain.deadlines import DeadlineRule
from dnw_desk.domain.registration import Category, Evidence
from dnw_desk.domain.roles import Permission, may
from dnw_desk.domain.working_time import OpeningHours
from dnw_desk.i18n import LANGUAGES, N_, _
from dnw_desk.local_settings import LocalSettings
from dnw_desk.services.accounts import AccountService
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.services.setup import (
    check_hall,
    check_hours,
    check_printer_uri,
    number_example_text,
)
from dnw_desk.ui.accounts_tab import AccountsTab
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.print_jobs import PrintJobs
from dnw_desk.ui.printer_picker import PrinterPicker
from dnw_desk.ui.widgets import button, error_label, hbox, hint_label, show_error, vbox

EVIDENCE_COLUMNS = (
    (Evidence.APPLICATION, N_("Original application")),
    (Evidence.EARLIER_VISITS, N_("Earlier visits")),
    (Evidence.YSJ_REFERENCE, N_("沪苏浙 reference")),
)
PROFILES = ("80mm", "58mm", "tm-t88")


@dataclass(frozen=True)
class SettingsResult:
    business: BusinessSettings
    local: LocalSettings


def start_test_print(
    printing: PrintJobs | None, settings: BusinessSettings | None, uri: str, result: QLabel
) -> None:
    """Check the address, print the test page in the background and report in ``result`` (the
    settings dialog and the setup wizard). A test page is not queued: a failure is only shown."""
    error = check_printer_uri(uri)
    if error:
        result.setText(error)
        return
    if printing is None:
        return

    def printed(outputs: tuple[Path, ...]) -> None:
        result.setText(
            _("Test page saved to {path}.").format(path=outputs[-1])
            if outputs
            else _("Test page sent. Check the printout.")
        )

    def failed(reason: str) -> None:
        result.setText(_("Test print failed: {reason}").format(reason=reason))

    result.setText(_("Printing the test page…"))
    printing.test_print(settings, uri, printed, failed)


class SettingsDialog(QDialog):
    def __init__(
        self, ui: DeskUi, accounts: AccountService | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = ui
        self.settings = ui.desk.settings
        self.local = ui.local
        self.setWindowTitle(_("Settings"))
        self.setMinimumSize(760, 560)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._hall_tab(), _("Hall and window"))
        self.tabs.addTab(self._hours_tab(), _("Hours and deadline"))
        self.tabs.addTab(self._categories_tab(), _("Categories"))
        self.tabs.addTab(self._units_tab(), _("Units"))
        self.tabs.addTab(self._alerts_tab(), _("Alerts and desk"))
        self.tabs.addTab(self._device_tab(), _("Printer and display"))
        self.accounts_tab: AccountsTab | None = None
        if accounts is not None:
            self.accounts_tab = AccountsTab(ui, accounts)
            self.tabs.addTab(self.accounts_tab, _("Accounts"))
        self.error = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.setLayout(vbox(self.tabs, self.error, self.buttons, margin=10))
        self._connect_signals()

    # --- tabs ----------------------------------------------------------------------------

    def _hall_tab(self) -> QWidget:
        s = self.settings
        self.hall_code = QLineEdit(s.hall_code)
        self.hall_code.setObjectName("hall_code")
        self.hall_name = QLineEdit(s.hall_name)
        self.window_no = QLineEdit(s.window_no)
        self.window_no.setObjectName("window_no")
        self.window_name = QLineEdit(s.window_name)
        form = QFormLayout()
        form.addRow(_("Hall code"), self.hall_code)
        form.addRow(_("Hall name"), self.hall_name)
        form.addRow(_("Window number"), self.window_no)
        form.addRow(_("Window name"), self.window_name)
        self.number_example = hint_label()
        self.number_example.setObjectName("numberExample")
        form.addRow("", self.number_example)
        form.addRow("", hint_label(_("Change them only when the terminal is enrolled again.")))
        for edit in (self.hall_code, self.window_no):
            edit.textChanged.connect(self.on_number_fields_changed)
        self.on_number_fields_changed()
        return self._page(form)

    @Slot()
    def on_number_fields_changed(self) -> None:
        self.number_example.setText(
            number_example_text(self.hall_code.text(), self.window_no.text())
        )

    def _hours_tab(self) -> QWidget:
        s = self.settings
        self.opening_hours = QLineEdit(s.opening_hours)
        self.opening_hours.setObjectName("opening_hours")
        self.rule_kind = QComboBox()
        self.rule_kind.addItem(
            _("Closing time of the next working day (Civil Code art. 201/203)"), "civil-code"
        )
        self.rule_kind.addItem(_("A number of working hours"), "working-hours")
        self.rule_hours = QDoubleSpinBox()
        self.rule_hours.setRange(1, 200)
        self.rule_hours.setDecimals(1)
        self.rule_hours.setSuffix(" " + _("working hours"))
        rule = DeadlineRule.parse(s.deadline_rule)
        self.rule_kind.setCurrentIndex(0 if rule.kind == "civil-code" else 1)
        self.rule_hours.setValue(rule.hours if rule.kind != "civil-code" else 8)
        form = QFormLayout()
        form.addRow(_("Opening hours"), self.opening_hours)
        form.addRow(
            "",
            hint_label(
                _(
                    "Periods separated by commas; the gap is the lunch break. Times are Beijing "
                    "time."
                )
            ),
        )
        form.addRow(_("Feedback deadline"), self.rule_kind)
        form.addRow("", self.rule_hours)
        self.on_rule_kind_changed()
        return self._page(form)

    def _categories_tab(self) -> QWidget:
        headers = [_("Code"), _("Label (中文)"), _("Label (English)")]
        headers += [_(title) for _e, title in EVIDENCE_COLUMNS]
        self.category_table = QTableWidget(0, len(headers))
        self.category_table.setHorizontalHeaderLabels(headers)
        self.category_table.horizontalHeader().setStretchLastSection(False)
        for category in self.settings.categories:
            self._add_category_row(category)
        header = self.category_table.horizontalHeader()
        for column in range(len(headers)):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column in (1, 2)
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        add = button(_("Add category"), lambda: self._add_category_row(Category("", "")))
        remove = button(_("Remove selected"), self.on_remove_category_clicked)
        note = hint_label(
            _("The ticked columns are the extra fields the form asks for in that category.")
        )
        widget = QWidget()
        widget.setLayout(vbox(self.category_table, note, hbox(add, remove, None), margin=8))
        return widget

    def _add_category_row(self, category: Category) -> None:
        table = self.category_table
        row = table.rowCount()
        table.insertRow(row)
        for column, text in enumerate((category.code, category.label, category.label_en)):
            table.setItem(row, column, QTableWidgetItem(text))
        for offset, (evidence, _title) in enumerate(EVIDENCE_COLUMNS):
            item = QTableWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            checked = evidence in category.evidence
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            table.setItem(row, 3 + offset, item)

    def _units_tab(self) -> QWidget:
        self.units_edit = QPlainTextEdit("\n".join(self.settings.units))
        self.units_edit.setTabChangesFocus(True)  # Tab reaches the buttons: one unit a line
        self.units_edit.setObjectName("units")
        hint = _("One responsible unit per line. The form's unit picker searches this list.")
        if self.settings.unit_ids:
            # The central server keeps the hall's units (with their ids): edited there, synced.
            self.units_edit.setReadOnly(True)
            hint = _(
                "The central server keeps this hall's unit list; it is updated at each sync. "
                "Ask the server's administrator to add or change a unit."
            )
        widget = QWidget()
        widget.setLayout(vbox(hint_label(hint), self.units_edit, margin=8))
        return widget

    def _alerts_tab(self) -> QWidget:
        s = self.settings
        self.reminder = QSpinBox()
        self.reminder.setRange(10, 95)
        self.reminder.setSuffix(" %")
        self.reminder.setValue(round(s.reminder_fraction * 100))
        self.warning = QDoubleSpinBox()
        self.warning.setRange(0.5, 24)
        self.warning.setDecimals(1)
        self.warning.setSuffix(" " + _("working hours"))
        self.warning.setValue(s.warning_hours)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 120)
        self.idle_minutes.setSuffix(" " + _("min"))
        self.idle_minutes.setValue(s.idle_lock_minutes)
        self.repeat_days = QSpinBox()
        self.repeat_days.setRange(1, 3650)
        self.repeat_days.setSuffix(" " + _("days"))
        self.repeat_days.setValue(s.repeat_visit_days)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(30, 3650)
        self.retention_days.setSuffix(" " + _("days"))
        self.retention_days.setValue(s.retention_days)
        self.hotline = QLineEdit(s.hotline)
        self.status_url = QLineEdit(s.status_url_base)
        self.receipt_language = QComboBox()
        for code, name in LANGUAGES.items():
            self.receipt_language.addItem(name, code)
        self.receipt_language.setCurrentIndex(
            max(0, self.receipt_language.findData(s.receipt_language))
        )
        form = QFormLayout()
        form.addRow(_("Reminder (blue) when this share of the time is used"), self.reminder)
        form.addRow(_("Warning (yellow) when this much time is left"), self.warning)
        form.addRow(_("Lock the desk after"), self.idle_minutes)
        form.addRow(_("Earlier visits counted within"), self.repeat_days)
        form.addRow(_("Erase personal data after closing"), self.retention_days)
        form.addRow(_("Hotline on receipts"), self.hotline)
        form.addRow(_("Public status page address"), self.status_url)
        form.addRow(_("Language of receipts"), self.receipt_language)
        return self._page(form)

    def _device_tab(self) -> QWidget:
        local = self.local
        self.printer_uri = QLineEdit(local.printer_uri)
        self.printer_uri.setObjectName("printer_uri")
        self.printer_profile = QComboBox()
        for name in PROFILES:
            self.printer_profile.addItem(name, name)
        self.printer_profile.setCurrentIndex(
            max(0, self.printer_profile.findData(local.printer_profile))
        )
        self.test_button = button(_("Print a test page"), self.on_test_print_clicked)
        self.test_result = hint_label()
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(local.language)))
        self.large_font = QCheckBox(_("Large font for the counter"))
        self.large_font.setChecked(local.large_font)
        form = QFormLayout()
        form.addRow(_("Printer address"), self.printer_uri)
        form.addRow("", PrinterPicker(self.printer_uri, self.ui.tasks))
        form.addRow(
            "",
            hint_label(
                _(
                    "e.g. tcp://192.168.1.50:9100, usb://0416:5011, serial:///dev/ttyUSB0, "
                    "cups://QUEUE, or preview (no printer: saves PNG and PDF)"
                )
            ),
        )
        form.addRow(_("Paper"), self.printer_profile)
        form.addRow("", hbox(self.test_button, None))
        form.addRow("", self.test_result)
        form.addRow(_("Language"), self.language)
        form.addRow("", self.large_font)
        form.addRow("", hint_label(_("Language and font size apply after a restart of the desk.")))
        return self._page(form)

    def _page(self, form: QFormLayout) -> QWidget:
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        widget = QWidget()
        widget.setLayout(vbox(form, None, margin=12))
        return widget

    def _connect_signals(self) -> None:
        self.rule_kind.currentIndexChanged.connect(self.on_rule_kind_changed)
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    # --- slots -----------------------------------------------------------------------------

    @Slot()
    def on_rule_kind_changed(self) -> None:
        self.rule_hours.setVisible(self.rule_kind.currentData() == "working-hours")

    @Slot()
    def on_remove_category_clicked(self) -> None:
        rows = sorted(
            {index.row() for index in self.category_table.selectedIndexes()}, reverse=True
        )
        for row in rows:
            self.category_table.removeRow(row)

    @Slot()
    def on_test_print_clicked(self) -> None:
        start_test_print(
            self.ui.printing, self.settings, self.printer_uri.text().strip(), self.test_result
        )

    @Slot()
    def on_buttons_accepted(self) -> None:
        result, errors = self.collect()
        if errors:
            show_error(self.error, " ".join(errors))
            return
        self.result_value = result
        self.accept()

    # --- reading -----------------------------------------------------------------------------

    def collect(self) -> tuple[SettingsResult | None, list[str]]:
        errors: list[str] = []
        hall_code = self.hall_code.text().strip().upper()
        window = self.window_no.text().strip()
        errors += check_hall(hall_code, window).values()
        hours_error = check_hours(self.opening_hours.text())
        if hours_error:
            errors.append(hours_error)
        categories = self._categories(errors)
        units = tuple(
            dict.fromkeys(
                line.strip() for line in self.units_edit.toPlainText().splitlines() if line.strip()
            )
        )
        if not units:
            errors.append(_("The unit list is empty."))
        uri_error = check_printer_uri(self.printer_uri.text())
        if uri_error:
            errors.append(uri_error)
        if errors:
            return None, errors
        rule = "civil-code"
        if self.rule_kind.currentData() == "working-hours":
            rule = f"working-hours:{self.rule_hours.value():g}"
        business = replace(
            self.settings,
            hall_code=hall_code,
            hall_name=self.hall_name.text().strip(),
            window_no=window,
            window_name=self.window_name.text().strip(),
            opening_hours=str(OpeningHours.parse(self.opening_hours.text())),
            deadline_rule=rule,
            categories=categories,
            units=units,
            reminder_fraction=self.reminder.value() / 100,
            warning_hours=self.warning.value(),
            idle_lock_minutes=self.idle_minutes.value(),
            repeat_visit_days=self.repeat_days.value(),
            retention_days=self.retention_days.value(),
            hotline=self.hotline.text().strip(),
            status_url_base=self.status_url.text().strip(),
            receipt_language=str(self.receipt_language.currentData()),
        )
        local = replace(
            self.local,
            printer_uri=self.printer_uri.text().strip(),
            printer_profile=str(self.printer_profile.currentData()),
            language=str(self.language.currentData()),
            large_font=self.large_font.isChecked(),
        )
        return SettingsResult(business, local), []

    def _categories(self, errors: list[str]) -> tuple[Category, ...]:
        table = self.category_table
        found: list[Category] = []
        for row in range(table.rowCount()):
            texts = [_cell_text(table.item(row, c)) for c in range(3)]
            if not any(texts):
                continue
            evidence = tuple(
                evidence
                for offset, (evidence, _t) in enumerate(EVIDENCE_COLUMNS)
                if _cell_checked(table.item(row, 3 + offset))
            )
            found.append(Category(texts[0], texts[1], evidence, texts[2]))
        codes = [c.code for c in found]
        if not found:
            errors.append(_("At least one category is needed."))
        elif any(not c.code or not c.label for c in found) or len(set(codes)) != len(codes):
            errors.append(_("Each category needs its own code and a Chinese label."))
        return tuple(found)

    @classmethod
    def ask(
        cls, ui: DeskUi, parent: QWidget | None, accounts: AccountService | None = None
    ) -> SettingsResult | None:
        """The changed settings, or None (cancelled, or the user is not an admin)."""
        if ui.actor is None or not may(ui.actor.role, Permission.ADMINISTER):
            QMessageBox.warning(parent, _("Settings"), _("Only an admin can change the settings."))
            return None
        dialog = cls(ui, accounts, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.result_value
        return None


def _cell_text(item: QTableWidgetItem | None) -> str:
    return item.text().strip() if item is not None else ""


def _cell_checked(item: QTableWidgetItem | None) -> bool:
    return item is not None and item.checkState() == Qt.CheckState.Checked
