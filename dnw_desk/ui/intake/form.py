"""The intake form's fields (docs/rules.md#registration): complainant, category with its evidence,
matter.

Pure input: it validates the personal data as the clerk types (the validators are pure functions,
no I/O), fills birth date and sex from the ID number, builds a ``Registration`` and marks the
fields a ``FieldErrors`` names. Saving, printing and drafts belong to ``IntakePage``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from dnw_desk.domain.checks import Check
from dnw_desk.domain.registration import (
    CHANNEL_LABELS,
    Category,
    Channel,
    Complainant,
    ComplainantKind,
    Evidence,
    Matter,
    Registration,
)
from dnw_desk.domain.validation import (
    validate_credit_code,
    validate_name,
    validate_phone,
    validate_resident_id,
)
from dnw_desk.i18n import _, current_language
from dnw_desk.ui.intake.fields import (
    DateParseError,
    FieldRow,
    parse_date,
    parse_date_list,
    split_units,
)
from dnw_desk.ui.widgets import EnterMovesOn, hbox, hint_label

TEXT_FIELDS = (
    "name",
    "id_number",
    "credit_code",
    "contact_person",
    "phone",
    "application_no",
    "application_date",
    "earlier_visits",
    "ysj_place",
    "ysj_item",
    "service_item",
    "service_code",
    "lead_unit",
    "co_units",
)
LONG_TEXT_FIELDS = ("description", "request")
# Values this long are complete: show their problems even before the clerk leaves the field.
COMPLETE_LENGTH = {"id_number": 18, "credit_code": 18}


def category_text(category: Category) -> str:
    label = (
        category.label_en if current_language() == "en" and category.label_en else category.label
    )
    return f"{category.code}  {label}"


class IntakeForm(QWidget):
    sig_changed = Signal()
    """The clerk changed something (drives the draft autosave)."""

    sig_identity_changed = Signal(str, str, str)
    """A valid (id_number, phone, credit_code) to look up earlier visits; empty when unknown."""

    def __init__(
        self,
        categories: Sequence[Category],
        units: Sequence[str],
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.today = today
        self.categories: tuple[Category, ...] = tuple(categories)
        self.units: tuple[str, ...] = tuple(units)
        self.rows: dict[str, FieldRow] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.long_edits: dict[str, QPlainTextEdit] = {}
        self._enter = EnterMovesOn(self)
        self._loading = False
        self._build()
        self._connect_signals()
        self.on_kind_changed()
        self.on_category_changed()

    # --- construction --------------------------------------------------------------------

    def _line(self, name: str, placeholder: str = "", hint: QLabel | None = None) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.installEventFilter(self._enter)
        self.edits[name] = edit
        self.rows[name] = FieldRow(edit, hint)
        return edit

    def _long(self, name: str, placeholder: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)  # Tab leaves the box; Enter writes a new line
        edit.setMinimumHeight(56)
        edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.long_edits[name] = edit
        self.rows[name] = FieldRow(edit)
        return edit

    def _build(self) -> None:
        # Complainant
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItem(_("Person"), ComplainantKind.PERSON.value)
        self.kind.addItem(_("Enterprise"), ComplainantKind.ENTERPRISE.value)
        self.kind.installEventFilter(self._enter)
        self.id_info = hint_label()
        self.phone_info = hint_label()
        self._line("name", _("Full name as on the ID card"))
        self._line("id_number", _("18 characters; optional"), self.id_info)
        self._line("credit_code", _("Unified social credit code, 18 characters"))
        self._line("contact_person", _("Who speaks for the enterprise"))
        self._line("phone", _("Mobile or landline, e.g. 138 1234 5678"), self.phone_info)
        self.consent = QCheckBox(_("Agrees to be called back"))
        self.consent.setObjectName("consent_callback")
        self.consent.setChecked(True)

        # Category and its evidence
        self.category = QComboBox()
        self.category.setObjectName("category")
        self.category.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category.setMinimumContentsLength(16)
        self.category.addItem(_("— choose the category —"), "")
        for category in self.categories:
            self.category.addItem(category_text(category), category.code)
            self.category.setItemData(
                self.category.count() - 1, category.label, Qt.ItemDataRole.ToolTipRole
            )
        self.category.installEventFilter(self._enter)
        self.rows["category"] = FieldRow(self.category)
        self._line("application_no", _("Number of the original application"))
        self._line("application_date", _("YYYY-MM-DD"))
        self._line("earlier_visits", _("Dates of earlier visits, e.g. 2026-11-03, 2026-11-17"))
        self._line("ysj_place", _("e.g. 上海市浦东新区"))
        self._line("ysj_item", _("Name of the service there"))
        self.rows["ysj_reference"] = self.rows["ysj_place"]

        # Matter
        self._line("service_item", _("The service the complainant applied for"))
        self._line("service_code", _("Item code, if known"))
        self._line("lead_unit", _("Type to search the hall's units"))
        self.unit_model = QStringListModel(list(self.units), self)
        self.unit_completer = QCompleter(self.unit_model, self)
        self.unit_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.unit_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.unit_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.unit_completer.setMaxVisibleItems(12)
        self.edits["lead_unit"].setCompleter(self.unit_completer)
        self._line("co_units", _("Other units, separated by commas; optional"))
        self.co_completer = QCompleter(self.unit_model, self)
        self.co_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.co_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        for channel in (Channel.OFFLINE, Channel.ONLINE):
            self.channel.addItem(_(CHANNEL_LABELS[channel]), channel.value)
        self.channel.installEventFilter(self._enter)
        self._long("description", _("What happened, in the complainant's words"))
        self._long("request", _("What the complainant asks for (诉求)"))

        left = QGroupBox(_("Complainant"))
        complainant_form = self._form()
        complainant_form.addRow(_("Type"), self.kind)
        self.name_label = QLabel(_("Name"))
        complainant_form.addRow(self.name_label, self.rows["name"].container)
        complainant_form.addRow(_("ID number"), self.rows["id_number"].container)
        complainant_form.addRow(_("Credit code"), self.rows["credit_code"].container)
        complainant_form.addRow(_("Contact person"), self.rows["contact_person"].container)
        complainant_form.addRow(_("Phone"), self.rows["phone"].container)
        complainant_form.addRow("", self.consent)
        left.setLayout(complainant_form)
        self.complainant_form = complainant_form

        evidence = QGroupBox(_("Category"))
        evidence_form = self._form()
        evidence_form.addRow(_("Category"), self.rows["category"].container)
        self.category_hint = hint_label()
        evidence_form.addRow("", self.category_hint)
        evidence_form.addRow(_("Application no."), self.rows["application_no"].container)
        evidence_form.addRow(_("Applied on"), self.rows["application_date"].container)
        evidence_form.addRow(_("Earlier visits"), self.rows["earlier_visits"].container)
        evidence_form.addRow(_("Where (沪苏浙)"), self.rows["ysj_place"].container)
        evidence_form.addRow(_("Item there"), self.rows["ysj_item"].container)
        evidence.setLayout(evidence_form)
        self.evidence_form = evidence_form

        matter = QGroupBox(_("Matter"))
        matter_form = self._form()
        matter_form.addRow(_("Service item"), self.rows["service_item"].container)
        matter_form.addRow(_("Item code"), self.rows["service_code"].container)
        matter_form.addRow(_("Responsible unit"), self.rows["lead_unit"].container)
        matter_form.addRow(_("Co-units"), self.rows["co_units"].container)
        matter_form.addRow(_("Channel"), self.channel)
        matter_form.addRow(_("Description"), self.rows["description"].container)
        matter_form.addRow(_("Request (诉求)"), self.rows["request"].container)
        matter.setLayout(matter_form)

        from dnw_desk.ui.widgets import vbox

        left_column = QWidget()
        left_column.setLayout(vbox(left, evidence, None))
        self.setLayout(hbox(left_column, matter, spacing=10))
        self._set_tab_order()

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(4)
        return form

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.kind,
            self.edits["name"],
            self.edits["id_number"],
            self.edits["credit_code"],
            self.edits["contact_person"],
            self.edits["phone"],
            self.consent,
            self.category,
            self.edits["application_no"],
            self.edits["application_date"],
            self.edits["earlier_visits"],
            self.edits["ysj_place"],
            self.edits["ysj_item"],
            self.edits["service_item"],
            self.edits["service_code"],
            self.edits["lead_unit"],
            self.edits["co_units"],
            self.channel,
            self.long_edits["description"],
            self.long_edits["request"],
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.last_field: QWidget = chain[-1]

    def _connect_signals(self) -> None:
        self.kind.currentIndexChanged.connect(self.on_kind_changed)
        self.category.currentIndexChanged.connect(self.on_category_changed)
        self.channel.currentIndexChanged.connect(self.on_any_changed)
        self.consent.toggled.connect(self.on_any_changed)
        for name, edit in self.edits.items():
            edit.textChanged.connect(lambda _text, n=name: self.on_field_edited(n))
            edit.editingFinished.connect(lambda n=name: self.on_field_left(n))
        for name, long_edit in self.long_edits.items():
            long_edit.textChanged.connect(lambda n=name: self.on_field_edited(n))

    # --- reading ---------------------------------------------------------------------------

    @property
    def enterprise(self) -> bool:
        return bool(self.kind.currentData() == ComplainantKind.ENTERPRISE.value)

    def text(self, name: str) -> str:
        if name in self.long_edits:
            return self.long_edits[name].toPlainText()
        return self.edits[name].text()

    def selected_category(self) -> Category | None:
        code = self.category.currentData()
        return next((c for c in self.categories if c.code == code), None)

    def registration(self) -> Registration:
        """The form as a Registration; raises ``FieldErrors`` for dates it cannot read."""
        from dnw_desk.domain.errors import FieldErrors

        errors: dict[str, str] = {}
        application_date = None
        earlier: tuple[date, ...] = ()
        try:
            application_date = parse_date(self.text("application_date"))
        except DateParseError as exc:
            errors["application_date"] = str(exc)
        try:
            earlier = parse_date_list(self.text("earlier_visits"))
        except DateParseError as exc:
            errors["earlier_visits"] = str(exc)
        if errors:
            raise FieldErrors(errors)
        selected = self.selected_category()
        evidence = selected.evidence if selected else ()
        enterprise = self.enterprise
        complainant = Complainant(
            kind=ComplainantKind.ENTERPRISE if enterprise else ComplainantKind.PERSON,
            name=self.text("name"),
            phone=self.text("phone"),
            id_number="" if enterprise else self.text("id_number"),
            credit_code=self.text("credit_code") if enterprise else "",
            contact_person=self.text("contact_person") if enterprise else "",
            consent_callback=self.consent.isChecked(),
        )
        matter = Matter(
            category=str(self.category.currentData() or ""),
            service_item=self.text("service_item"),
            lead_unit=self.text("lead_unit").strip(),
            service_code=self.text("service_code").strip(),
            co_units=split_units(self.text("co_units")),
            channel=Channel(self.channel.currentData()),
            application_no=self.text("application_no") if Evidence.APPLICATION in evidence else "",
            application_date=application_date if Evidence.APPLICATION in evidence else None,
            earlier_visits=earlier if Evidence.EARLIER_VISITS in evidence else (),
            ysj_place=self.text("ysj_place") if Evidence.YSJ_REFERENCE in evidence else "",
            ysj_item=self.text("ysj_item") if Evidence.YSJ_REFERENCE in evidence else "",
            description=self.text("description"),
            request=self.text("request"),
        )
        return Registration(complainant, matter)

    def is_empty(self) -> bool:
        return not any(self.text(n).strip() for n in (*TEXT_FIELDS, *LONG_TEXT_FIELDS)) and (
            not self.category.currentData()
        )

    # --- drafts ------------------------------------------------------------------------------

    def to_draft(self) -> dict[str, Any]:
        fields: dict[str, Any] = {n: self.text(n) for n in (*TEXT_FIELDS, *LONG_TEXT_FIELDS)}
        fields.update(
            kind=self.kind.currentData(),
            category=self.category.currentData(),
            channel=self.channel.currentData(),
            consent_callback=self.consent.isChecked(),
        )
        return fields

    def load_draft(self, fields: dict[str, Any]) -> None:
        self._loading = True
        try:
            for combo, key in (
                (self.kind, "kind"),
                (self.category, "category"),
                (self.channel, "channel"),
            ):
                index = combo.findData(fields.get(key))
                if index >= 0:
                    combo.setCurrentIndex(index)
            self.consent.setChecked(bool(fields.get("consent_callback", True)))
            for name in TEXT_FIELDS:
                self.edits[name].setText(str(fields.get(name, "")))
            for name in LONG_TEXT_FIELDS:
                self.long_edits[name].setPlainText(str(fields.get(name, "")))
        finally:
            self._loading = False
        for name in self.edits:
            if self.text(name):
                self.rows[name].touched = True
                self._validate_live(name)
        self.sig_changed.emit()

    # --- changing ------------------------------------------------------------------------------

    def clear(self) -> None:
        self._loading = True
        try:
            for edit in self.edits.values():
                edit.clear()
            for long_edit in self.long_edits.values():
                long_edit.clear()
            self.kind.setCurrentIndex(0)
            self.category.setCurrentIndex(0)
            self.channel.setCurrentIndex(0)
            self.consent.setChecked(True)
        finally:
            self._loading = False
        for row in self.rows.values():
            row.touched = False
            row.set_error("")
        self.id_info.clear()
        self.phone_info.clear()
        self.sig_identity_changed.emit("", "", "")
        self.kind.setFocus()

    def set_units(self, units: Sequence[str]) -> None:
        self.units = tuple(units)
        self.unit_model.setStringList(list(self.units))

    def suggest_category(self, code: str) -> None:
        index = self.category.findData(code)
        if index >= 0:
            self.category.setCurrentIndex(index)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Mark each named field with its message; focus the first one in tab order."""
        for name, row in self.rows.items():
            if name == "ysj_reference":
                continue
            row.set_error(errors.get(name, ""))
        if "ysj_reference" in errors:
            self.rows["ysj_place"].set_error(errors["ysj_reference"])
        first = next(
            (
                row.editor
                for name, row in self.rows.items()
                if (name in errors or (name == "ysj_place" and "ysj_reference" in errors))
                and row.editor.isVisibleTo(self)
            ),
            None,
        )
        if first is not None:
            first.setFocus()

    def errors_shown(self) -> dict[str, str]:
        return {n: r.error.text() for n, r in self.rows.items() if r.error.text()}

    @Slot()
    def on_kind_changed(self) -> None:
        enterprise = self.enterprise
        self.name_label.setText(_("Enterprise name") if enterprise else _("Name"))
        self.edits["name"].setPlaceholderText(
            _("Registered name of the enterprise")
            if enterprise
            else _("Full name as on the ID card")
        )
        for name, visible in (
            ("id_number", not enterprise),
            ("credit_code", enterprise),
            ("contact_person", enterprise),
        ):
            self.rows[name].setVisible(visible)
            label = self.complainant_form.labelForField(self.rows[name].container)
            if label is not None:
                label.setVisible(visible)
        self._validate_live("name")
        self._emit_identity()
        self.on_any_changed()

    @Slot()
    def on_category_changed(self) -> None:
        category = self.selected_category()
        evidence = category.evidence if category else ()
        english = current_language() == "en" and category is not None and category.label_en
        self.category_hint.setText(
            (category.label_en if english else category.label) if category else ""
        )
        self.category_hint.setVisible(category is not None)
        for names, needed in (
            (("application_no", "application_date"), Evidence.APPLICATION in evidence),
            (("earlier_visits",), Evidence.EARLIER_VISITS in evidence),
            (("ysj_place", "ysj_item"), Evidence.YSJ_REFERENCE in evidence),
        ):
            for name in names:
                self.rows[name].setVisible(needed)
                label = self.evidence_form.labelForField(self.rows[name].container)
                if label is not None:
                    label.setVisible(needed)
        if category is not None:
            self.rows["category"].set_error("")
        self.on_any_changed()

    @Slot()
    def on_any_changed(self) -> None:
        if not self._loading:
            self.sig_changed.emit()

    def on_field_edited(self, name: str) -> None:
        if self._loading:
            return
        self._validate_live(name)
        if name in ("id_number", "phone", "credit_code"):
            self._emit_identity()
        self.sig_changed.emit()

    def on_field_left(self, name: str) -> None:
        self.rows[name].touched = True
        self._validate_live(name)
        if name == "lead_unit":
            unit = self.text("lead_unit").strip()
            if unit and unit not in self.units:
                self.rows[name].set_error(
                    _("“{unit}” is not in this hall's unit list.").format(unit=unit)
                )
        if name in ("application_date", "earlier_visits"):
            try:
                (parse_date if name == "application_date" else parse_date_list)(self.text(name))
            except DateParseError as exc:
                self.rows[name].set_error(str(exc))

    # --- validation as you type ------------------------------------------------------------

    def _check(self, name: str) -> Check | None:
        text = self.text(name)
        if name == "name":
            return validate_name(text, enterprise=self.enterprise) if text.strip() else None
        if name == "id_number":
            return validate_resident_id(text, today=self.today()) if text.strip() else None
        if name == "credit_code":
            return validate_credit_code(text) if text.strip() else None
        if name == "contact_person":
            return validate_name(text) if text.strip() else None
        if name == "phone":
            return validate_phone(text) if text.strip() else None
        return None

    def _validate_live(self, name: str) -> None:
        row = self.rows[name]
        check = self._check(name)
        if name == "id_number":
            self._show_id_details(check)
        if name == "phone":
            display = getattr(check, "display", "") if check and check.valid else ""
            self.phone_info.setText(display)
            self.phone_info.setVisible(bool(display))
        if check is None:
            # Nothing to check as you type: any message from a save goes once the field changes.
            row.set_error("")
            return
        complete = len(self.text(name).strip()) >= COMPLETE_LENGTH.get(name, 10**6)
        if check.valid:
            row.set_error("")
        elif row.touched or complete:
            row.set_error(check.message)

    def _show_id_details(self, check: Check | None) -> None:
        if check is None or not check.valid:
            self.id_info.clear()
            self.id_info.setVisible(False)
            return
        birth, sex, kind = (getattr(check, a, None) for a in ("birth_date", "sex", "kind"))
        parts = []
        if kind is not None:
            parts.append(kind.label)
        if birth is not None:
            parts.append(_("born {date}").format(date=birth.isoformat()))
        if sex is not None:
            parts.append(sex.label)
        parts += [warning.message for warning in check.warnings]
        self.id_info.setText(" · ".join(parts))
        self.id_info.setVisible(True)

    def _emit_identity(self) -> None:
        id_number = phone = credit = ""
        if not self.enterprise:
            check = self._check("id_number")
            id_number = check.normalized if check and check.valid else ""
        else:
            check = self._check("credit_code")
            credit = check.normalized if check and check.valid else ""
        phone_check = self._check("phone")
        phone = phone_check.normalized if phone_check and phone_check.valid else ""
        self.sig_identity_changed.emit(id_number, phone, credit)
