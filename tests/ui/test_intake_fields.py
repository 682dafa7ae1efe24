"""The intake fields are declared once (``FIELDS`` and ``LAYOUT`` in ui/intake/fields.py); every
face of each one — box, label, place in the form and the tab order, registration attribute,
draft — follows from the table."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date

from pytestqt.qtbot import QtBot

from dnw_desk.domain.registration import Complainant, ComplainantKind, Matter
from dnw_desk.i18n import _
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.ui.intake.fields import CONTROLS, FIELDS, LAYOUT, NOT_TABBED
from dnw_desk.ui.intake.form import IntakeForm


def make_form(qtbot: QtBot) -> IntakeForm:
    settings = BusinessSettings()
    form = IntakeForm(settings.categories, settings.units, lambda: date(2026, 11, 24))
    qtbot.addWidget(form)
    return form


def test_each_field_and_control_has_one_place_in_the_layout() -> None:
    placed = Counter(name for _title, names in LAYOUT for name in names)
    assert set(placed) == {f.name for f in FIELDS} | set(CONTROLS)
    assert set(placed.values()) == {1}


def test_each_field_fills_an_attribute_of_its_part() -> None:
    attributes = {
        "complainant": {f.name for f in dataclasses.fields(Complainant)},
        "matter": {f.name for f in dataclasses.fields(Matter)},
    }
    assert all(field.name in attributes[field.part] for field in FIELDS)


def test_the_form_builds_every_field_with_its_label_and_tab_order(qtbot: QtBot) -> None:
    form = make_form(qtbot)
    for field in FIELDS:
        editor = form.rows[field.name].editor
        assert editor.objectName() == field.name
        assert (field.name in form.long_edits) is field.long
        assert form.labels[field.name].text() == _(field.label)
    order = [name for _title, names in LAYOUT for name in names if name not in NOT_TABBED]
    widget = {**{f.name: form.rows[f.name].editor for f in FIELDS}, "kind": form.kind}
    widget.update(consent=form.consent, category=form.category, channel=form.channel)
    widget["consent_sms"] = form.consent_sms
    expected = [widget[name] for name in order]
    chain, current = [expected[0]], expected[0].nextInFocusChain()
    while current is not expected[0]:
        if current in expected:
            chain.append(current)
        current = current.nextInFocusChain()
    assert chain == expected
    assert form.last_field is widget[order[-1]]


def test_every_field_goes_through_a_draft_and_into_the_registration(qtbot: QtBot) -> None:
    form = make_form(qtbot)
    values = {f.name: f"{f.name}-1" for f in FIELDS}
    values.update(application_date="2026-11-20", earlier_visits="2026-11-03")
    form.load_draft({**values, "kind": ComplainantKind.ENTERPRISE.value, "category": "1"})
    assert form.to_draft()["credit_code"] == "credit_code-1"
    registration = form.registration()
    assert registration.complainant.contact_person == "contact_person-1"
    assert registration.complainant.id_number == ""  # hidden for an enterprise
    assert registration.matter.application_date == date(2026, 11, 20)
    assert registration.matter.earlier_visits == ()  # category 1 does not ask for visits
    assert registration.matter.co_units == ("co_units-1",)
