"""The intake form (docs/rules.md#registration): complainant, category with its evidence, matter,
built from the fields declared in ``ui/intake/fields.py`` (``FIELDS``, ``LAYOUT``).

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
    Matter,
    Registration,
)
from dnw_desk.i18n import _, current_language
from dnw_desk.ui.intake.fields import (
    CONTROLS,
    FIELD,
    FIELDS,
    LAYOUT,
    LONG_TEXT_FIELDS,
    NOT_TABBED,
    TEXT_FIELDS,
    DateParseError,
    FieldRow,
    IntakeField,
    parse_date,
    parse_date_list,
)
from dnw_desk.ui.widgets import EnterMovesOn, hbox, hint_label, vbox


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
        self.today: Callable[[], date] = today
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

    def _field(self, field: IntakeField) -> QWidget:
        editor: QLineEdit | QPlainTextEdit
        if field.long:
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)  # Tab leaves the box; Enter writes a new line
            editor.setMinimumHeight(56)
            editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            self.long_edits[field.name] = editor
        else:
            editor = QLineEdit()
            editor.installEventFilter(self._enter)
            self.edits[field.name] = editor
        editor.setObjectName(field.name)
        editor.setPlaceholderText(_(field.placeholder))
        hint = {"id_number": self.id_info, "phone": self.phone_info}.get(field.name)
        self.rows[field.name] = FieldRow(editor, hint)
        self.labels[field.name] = QLabel(_(field.label))
        return editor

    def _controls(self) -> dict[str, QWidget]:
        """The form's own controls; each gets its label from ``CONTROLS``."""
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItem(_("Person"), ComplainantKind.PERSON.value)
        self.kind.addItem(_("Enterprise"), ComplainantKind.ENTERPRISE.value)
        self.consent = QCheckBox(_("Agrees to be called back"))
        self.consent.setObjectName("consent_callback")
        self.consent.setChecked(True)
        # Text messages only with the complainant's explicit yes: unticked until they say so.
        self.consent_sms = QCheckBox(_("Agrees to receive text messages about this case"))
        self.consent_sms.setObjectName("consent_sms")
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
        self.rows["category"] = FieldRow(self.category)
        self.category_hint = hint_label()
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        for channel in (Channel.OFFLINE, Channel.ONLINE):
            self.channel.addItem(_(CHANNEL_LABELS[channel]), channel.value)
        for combo in (self.kind, self.category, self.channel):
            combo.installEventFilter(self._enter)
        return {
            "kind": self.kind,
            "consent": self.consent,
            "consent_sms": self.consent_sms,
            "category": self.category,
            "category_hint": self.category_hint,
            "channel": self.channel,
        }

    def _build(self) -> None:
        self.id_info = hint_label()
        self.phone_info = hint_label()
        self.labels: dict[str, QLabel] = {}
        editors = {field.name: self._field(field) for field in FIELDS}
        controls = self._controls()
        # Errors about the 沪苏浙 reference as a whole are shown at its place.
        self.rows["ysj_reference"] = self.rows["ysj_place"]
        self._complete_units()

        boxes: list[QGroupBox] = []
        chain: list[QWidget] = []
        for title, names in LAYOUT:
            form = self._form()
            for name in names:
                if name in controls:
                    row = self.rows.get(name)
                    form.addRow(_(CONTROLS[name]), row.container if row else controls[name])
                    if name not in NOT_TABBED:
                        chain.append(controls[name])
                else:
                    form.addRow(self.labels[name], self.rows[name].container)
                    chain.append(editors[name])
            box = QGroupBox(_(title))
            box.setLayout(form)
            boxes.append(box)
        self.name_label = self.labels["name"]
        complainant, evidence, matter = boxes

        left_column = QWidget()
        left_column.setLayout(vbox(complainant, evidence, None))
        self.setLayout(hbox(left_column, matter, spacing=10))
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.last_field: QWidget = chain[-1]

    def _complete_units(self) -> None:
        self.unit_model = QStringListModel(list(self.units), self)
        self.unit_completer = QCompleter(self.unit_model, self)
        self.unit_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.unit_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.unit_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.unit_completer.setMaxVisibleItems(12)
        self.edits["lead_unit"].setCompleter(self.unit_completer)
        self.co_completer = QCompleter(self.unit_model, self)
        self.co_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.co_completer.setFilterMode(Qt.MatchFlag.MatchContains)

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(4)
        return form

    def _connect_signals(self) -> None:
        self.kind.currentIndexChanged.connect(self.on_kind_changed)
        self.category.currentIndexChanged.connect(self.on_category_changed)
        self.channel.currentIndexChanged.connect(self.on_any_changed)
        self.consent.toggled.connect(self.on_any_changed)
        self.consent_sms.toggled.connect(self.on_any_changed)
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

    def shown(self, field: IntakeField) -> bool:
        """Whether the field applies to this complainant and category."""
        if field.kind is not None and (field.kind is ComplainantKind.ENTERPRISE) != self.enterprise:
            return False
        if field.evidence is not None:
            selected = self.selected_category()
            return selected is not None and field.evidence in selected.evidence
        return True

    def registration(self) -> Registration:
        """The form as a Registration; raises ``FieldErrors`` for dates it cannot read."""
        from dnw_desk.domain.errors import FieldErrors

        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for field in FIELDS:
            try:
                value = field.read(self.text(field.name))
            except DateParseError as exc:  # also for a hidden field, as the clerk typed it
                errors[field.name] = str(exc)
                continue
            values[field.name] = value if self.shown(field) else field.empty
        if errors:
            raise FieldErrors(errors)
        part = {f.name: f.part for f in FIELDS}
        complainant = Complainant(
            kind=ComplainantKind.ENTERPRISE if self.enterprise else ComplainantKind.PERSON,
            consent_callback=self.consent.isChecked(),
            consent_sms=self.consent_sms.isChecked(),
            **{name: v for name, v in values.items() if part[name] == "complainant"},
        )
        matter = Matter(
            category=str(self.category.currentData() or ""),
            channel=Channel(self.channel.currentData()),
            **{name: v for name, v in values.items() if part[name] == "matter"},
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
            consent_sms=self.consent_sms.isChecked(),
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
            self.consent_sms.setChecked(bool(fields.get("consent_sms", False)))
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
            self.consent_sms.setChecked(False)
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

    def _show_fields(self) -> None:
        for field in FIELDS:
            shown = self.shown(field)
            self.rows[field.name].setVisible(shown)
            self.labels[field.name].setVisible(shown)

    @Slot()
    def on_kind_changed(self) -> None:
        enterprise = self.enterprise
        for field in FIELDS:
            if field.enterprise_label:
                label = field.enterprise_label if enterprise else field.label
                self.labels[field.name].setText(_(label))
            if field.enterprise_placeholder:
                placeholder = field.enterprise_placeholder if enterprise else field.placeholder
                self.edits[field.name].setPlaceholderText(_(placeholder))
        self._show_fields()
        self._validate_live("name")
        self._emit_identity()
        self.on_any_changed()

    @Slot()
    def on_category_changed(self) -> None:
        category = self.selected_category()
        english = current_language() == "en" and category is not None and category.label_en
        self.category_hint.setText(
            (category.label_en if english else category.label) if category else ""
        )
        self.category_hint.setVisible(category is not None)
        self._show_fields()
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
        field = FIELD.get(name)
        if field is None or field.check is None or not text.strip():
            return None
        return field.check(text, self)

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
        limit = FIELD[name].complete_length
        complete = limit is not None and len(self.text(name).strip()) >= limit
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
