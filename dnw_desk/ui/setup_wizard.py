"""First run: the admin account, the hall and window, opening hours, units, and the printer.

``ask`` returns what was entered; the composition root creates the account and saves the
settings on the DB lane (nothing is written until the wizard is finished).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
    QWizard,
    QWizardPage,
)

from dnw_desk.domain.roles import Role
from dnw_desk.i18n import _
from dnw_desk.services.accounts import NewAccount, check_new_account
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.services.setup import (
    SetupResult,
    check_hall,
    check_hall_name,
    check_hours,
    check_printer_uri,
    number_example_text,
)
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.printer_picker import PrinterPicker
from dnw_desk.ui.settings_dialog import PROFILES, start_test_print
from dnw_desk.ui.widgets import button, error_label, hbox, hint_label, show_error, vbox


class _Page(QWizardPage):
    """A page whose ``check`` returns the messages that keep the wizard from going on."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = error_label()
        self.setLayout(vbox(self.form, self.error, None))

    def check(self) -> list[str]:
        return []

    def validatePage(self) -> bool:
        problems = self.check()
        show_error(self.error, "\n".join(problems))
        return not problems


class AdminPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            _("Administrator"),
            _(
                "The admin sets up this terminal and creates the clerks' accounts. Admins do not "
                "register cases."
            ),
        )
        self.login = QLineEdit("admin")
        self.login.setObjectName("admin_login")
        self.clerk_no = QLineEdit()
        self.clerk_no.setObjectName("admin_clerk_no")
        self.password = QLineEdit()
        self.password.setObjectName("admin_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("admin_repeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(_("Login"), self.login)
        self.form.addRow(_("Staff number"), self.clerk_no)
        self.form.addRow(_("Password"), self.password)
        self.form.addRow(_("Password again"), self.repeat)

    def account(self) -> NewAccount:
        return NewAccount(
            self.login.text().strip(),
            self.clerk_no.text().strip(),
            Role.ADMIN,
            self.password.text(),
        )

    def check(self) -> list[str]:
        problems = list(check_new_account(self.account()).values())
        if self.password.text() != self.repeat.text():
            problems.append(_("The two passwords differ."))
        return problems


class HallPage(_Page):
    def __init__(self, settings: BusinessSettings) -> None:
        super().__init__(
            _("Hall and window"),
            _("They make up every case number."),
        )
        self.hall_code = QLineEdit(settings.hall_code)
        self.hall_code.setObjectName("hall_code")
        self.hall_name = QLineEdit(settings.hall_name)
        self.window_no = QLineEdit(settings.window_no)
        self.window_no.setObjectName("window_no")
        self.window_name = QLineEdit(settings.window_name)
        self.form.addRow(_("Hall code"), self.hall_code)
        self.form.addRow(_("Hall name"), self.hall_name)
        self.form.addRow(_("Window number"), self.window_no)
        self.form.addRow(_("Window name"), self.window_name)
        self.example = hint_label()
        self.example.setObjectName("numberExample")
        self.form.addRow("", self.example)
        for edit in (self.hall_code, self.window_no):
            edit.textChanged.connect(self.on_number_fields_changed)
        self.on_number_fields_changed()

    @Slot()
    def on_number_fields_changed(self) -> None:
        self.example.setText(number_example_text(self.hall_code.text(), self.window_no.text()))

    def check(self) -> list[str]:
        problems = list(
            check_hall(
                self.hall_code.text().strip().upper(), self.window_no.text().strip()
            ).values()
        )
        name_problem = check_hall_name(self.hall_name.text())
        return [*problems, name_problem] if name_problem else problems


class HoursPage(_Page):
    def __init__(self, settings: BusinessSettings) -> None:
        super().__init__(
            _("Opening hours"),
            _(
                "The feedback deadline is closing time on the next working day, counted with "
                "these hours."
            ),
        )
        self.hours = QLineEdit(settings.opening_hours)
        self.hours.setObjectName("opening_hours")
        self.form.addRow(_("Opening hours"), self.hours)
        self.form.addRow(
            "",
            hint_label(
                _(
                    "Periods separated by commas; the gap is the lunch break. Times are Beijing "
                    "time."
                )
            ),
        )

    def check(self) -> list[str]:
        problem = check_hours(self.hours.text())
        return [problem] if problem else []


class UnitsPage(_Page):
    def __init__(self, settings: BusinessSettings) -> None:
        super().__init__(
            _("Responsible units"),
            _(
                "One unit per line. The intake form's unit picker searches this list; admins can "
                "change it later."
            ),
        )
        self.units = QPlainTextEdit("\n".join(settings.units))
        self.units.setTabChangesFocus(True)  # Tab reaches the buttons: one unit a line
        self.units.setObjectName("units")
        self.form.addRow(self.units)

    def unit_list(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(u.strip() for u in self.units.toPlainText().splitlines() if u.strip())
        )

    def check(self) -> list[str]:
        return [] if self.unit_list() else [_("The unit list is empty.")]


class PrinterPage(_Page):
    def __init__(self, ui: DeskUi) -> None:
        super().__init__(
            _("Receipt printer"),
            _(
                "Where receipts go. Without a printer choose “preview”: receipts are saved as PNG "
                "and PDF."
            ),
        )
        self.ui = ui
        self.uri = QLineEdit(ui.local.printer_uri)
        self.uri.setObjectName("printer_uri")
        self.profile = QComboBox()
        for name in PROFILES:
            self.profile.addItem(name, name)
        self.test_button = button(_("Print a test page"), self.on_test_clicked)
        self.test_result = hint_label()
        self.form.addRow(_("Printer address"), self.uri)
        self.form.addRow("", PrinterPicker(self.uri, ui.tasks))
        self.form.addRow(
            "",
            hint_label(
                _(
                    "e.g. tcp://192.168.1.50:9100, usb://0416:5011, serial:///dev/ttyUSB0, "
                    "cups://QUEUE, or preview (no printer: saves PNG and PDF)"
                )
            ),
        )
        self.form.addRow(_("Paper"), self.profile)
        self.form.addRow("", hbox(self.test_button, None))
        self.form.addRow("", self.test_result)

    def check(self) -> list[str]:
        problem = check_printer_uri(self.uri.text())
        return [problem] if problem else []

    @Slot()
    def on_test_clicked(self) -> None:
        uri = self.uri.text().strip()
        printing = self.ui.printing
        if printing is not None and not self.check():
            printing.configure(uri, str(self.profile.currentData()))
        start_test_print(printing, None, uri, self.test_result)


class SetupWizard(QWizard):
    def __init__(self, ui: DeskUi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setWindowTitle(_("Set up this desk"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(680, 500)
        settings = ui.desk.settings
        self.admin_page = AdminPage()
        self.hall_page = HallPage(settings)
        self.hours_page = HoursPage(settings)
        self.units_page = UnitsPage(settings)
        self.printer_page = PrinterPage(ui)
        for page in (
            self.admin_page,
            self.hall_page,
            self.hours_page,
            self.units_page,
            self.printer_page,
        ):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, _("Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        # Enter adds a line in the unit list, so Tab out of it must land on "Next", not "Back".
        QWidget.setTabOrder(self.units_page.units, self.button(QWizard.WizardButton.NextButton))

    def result_value(self) -> SetupResult:
        from dnw_desk.domain.working_time import OpeningHours

        settings = self.ui.desk.settings
        business = replace(
            settings,
            hall_code=self.hall_page.hall_code.text().strip().upper(),
            hall_name=self.hall_page.hall_name.text().strip(),
            window_no=self.hall_page.window_no.text().strip(),
            window_name=self.hall_page.window_name.text().strip(),
            opening_hours=str(OpeningHours.parse(self.hours_page.hours.text())),
            units=self.units_page.unit_list(),
            configured=True,
        )
        local = replace(
            self.ui.local,
            printer_uri=self.printer_page.uri.text().strip(),
            printer_profile=str(self.printer_page.profile.currentData()),
        )
        return SetupResult(self.admin_page.account(), business, local)

    @classmethod
    def ask(cls, ui: DeskUi, parent: QWidget | None = None) -> SetupResult | None:
        wizard = cls(ui, parent)
        if wizard.exec() == QWizard.DialogCode.Accepted:
            return wizard.result_value()
        return None
