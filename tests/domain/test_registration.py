from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import date, timedelta

import pytest

from dnw_desk.domain.errors import FieldErrors
from dnw_desk.domain.registration import (
    Complainant,
    ComplainantKind,
    Registration,
    validate_registration,
)
from dnw_desk.services.reference_data import default_categories, default_units, refusal_reasons
from tests.factories import TODAY, VALID_ID, registration

pytestmark = pytest.mark.usefixtures("english")

UNITS = default_units()
CATEGORIES = default_categories()


def check(reg: Registration, **kwargs: object) -> Registration:
    return validate_registration(reg, categories=CATEGORIES, units=UNITS, today=TODAY, **kwargs)  # type: ignore[arg-type]


def test_reference_data_is_loaded() -> None:
    assert [c.code for c in CATEGORIES] == ["1", "2", "3", "4"]
    assert CATEGORIES[1].label.startswith("到省政务服务中心")
    assert CATEGORIES[0].label_en
    assert "省公安厅" in UNITS
    assert {r.code for r in refusal_reasons()} >= {"x-petition", "x-litigation"}


def test_valid_person_is_normalised_and_derives_id_facts() -> None:
    clean = check(registration(name="  买买提·艾力 ", phone="138 1234 5678", id_number=VALID_ID))
    assert clean.complainant.name == "买买提·艾力"
    assert clean.complainant.phone == "+8613812345678"
    assert clean.derived["birth_date"] == "1990-03-07"
    assert clean.derived["sex"] == "male"
    assert clean.derived["phone_display"] == "138 1234 5678"


def test_rare_characters_are_kept_literally() -> None:
    assert check(registration(name="𠮷野")).complainant.name == "𠮷野"


def test_every_wrong_field_is_reported_at_once() -> None:
    bad = registration(
        name="",
        phone="12",
        id_number="110105199003070018",
        category="9",
        service_item="",
        lead_unit="不存在的单位",
    )
    with pytest.raises(FieldErrors) as caught:
        check(bad)
    assert set(caught.value.errors) == {
        "name",
        "phone",
        "id_number",
        "category",
        "service_item",
        "lead_unit",
    }
    assert all(message for message in caught.value.errors.values())


def test_enterprise_needs_a_valid_credit_code() -> None:
    reg = registration()
    enterprise = replace(
        reg,
        complainant=Complainant(
            ComplainantKind.ENTERPRISE,
            "合肥恒信科技有限公司",
            "0551-62345678",
            credit_code="91340100MA2N0XXXX",
            contact_person="李四",
        ),
    )
    with pytest.raises(FieldErrors) as caught:
        check(enterprise)
    assert set(caught.value.errors) == {"credit_code"}


def test_category_evidence() -> None:
    with pytest.raises(FieldErrors) as caught:
        check(registration(category="1"))
    assert set(caught.value.errors) == {"application_no", "application_date"}
    ok = check(
        registration(
            category="2", earlier_visits=(TODAY - timedelta(days=3), TODAY - timedelta(days=9))
        )
    )
    assert ok.matter.earlier_visits[0] < ok.matter.earlier_visits[1]
    with pytest.raises(FieldErrors) as caught:
        check(registration(category="2", earlier_visits=(TODAY + timedelta(days=1),)))
    assert (
        "future" in caught.value.errors["earlier_visits"]
        or "未来" in caught.value.errors["earlier_visits"]
    )


def test_refusal_needs_no_unit_or_evidence() -> None:
    clean = check(registration(category="1", lead_unit=""), refusal=True)
    assert clean.matter.lead_unit == ""


def test_round_trip_through_event_data() -> None:
    reg = check(registration(category="2", earlier_visits=(date(2026, 11, 1),), id_number=VALID_ID))
    assert Registration.from_data(reg.to_data()) == reg


def test_event_data_is_plain_json_of_every_field() -> None:
    reg = check(registration(category="2", earlier_visits=(date(2026, 11, 1),), id_number=VALID_ID))
    data = reg.to_data()
    assert json.loads(json.dumps(data)) == data  # nothing but JSON types (enums are str)
    assert data["matter"]["earlier_visits"] == ["2026-11-01"]
    assert data["matter"]["co_units"] == list(reg.matter.co_units)
    assert set(data["complainant"]) == {f.name for f in fields(reg.complainant)}
    assert set(data["matter"]) == {f.name for f in fields(reg.matter)}
    assert data["derived"] == dict(reg.derived)
    assert data["derived"] is not reg.derived  # a copy: the event never aliases the form
