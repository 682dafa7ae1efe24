"""What the clerk enters at the counter (docs/rules.md#registration), and its

``validate_registration`` checks every field and returns a normalised copy, or raises
``FieldErrors`` naming each wrong field with its own message — so the form can mark them all and
nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from dnw_desk.domain.credit_code import validate_credit_code
from dnw_desk.domain.errors import FieldErrors
from dnw_desk.domain.names import validate_name
from dnw_desk.domain.phone import validate_phone
from dnw_desk.domain.resident_id import validate_resident_id
from dnw_desk.i18n import N_, _


class ComplainantKind(StrEnum):
    PERSON = "person"
    ENTERPRISE = "enterprise"


class Channel(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


CHANNEL_LABELS = {Channel.ONLINE: N_("Online"), Channel.OFFLINE: N_("Offline")}

DESCRIPTION_MAX = 2000
SERVICE_ITEM_MAX = 200


class Evidence(StrEnum):
    """Extra fields a category asks for."""

    APPLICATION = "application"  # original application number and date
    EARLIER_VISITS = "earlier_visits"  # dates of the earlier visits
    YSJ_REFERENCE = "ysj_reference"  # where in Shanghai/Jiangsu/Zhejiang it can be done


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    evidence: tuple[Evidence, ...] = ()
    label_en: str = ""


# Which evidence Anhui's four categories ask for (docs/rules.md#the-job); halls may configure their
# own.
DEFAULT_EVIDENCE: dict[str, tuple[Evidence, ...]] = {
    "1": (Evidence.APPLICATION,),
    "2": (Evidence.EARLIER_VISITS,),
    "4": (Evidence.YSJ_REFERENCE,),
}
REPEAT_VISIT_CATEGORY = "2"


@dataclass(frozen=True)
class Complainant:
    kind: ComplainantKind
    name: str
    phone: str
    id_number: str = ""  # person, optional
    credit_code: str = ""  # enterprise
    contact_person: str = ""  # enterprise
    consent_callback: bool = True
    consent_sms: bool = False  # text messages about the case (none recorded: none sent)


@dataclass(frozen=True)
class Matter:
    category: str
    service_item: str
    lead_unit: str
    service_code: str = ""
    co_units: tuple[str, ...] = ()
    channel: Channel = Channel.OFFLINE
    application_no: str = ""
    application_date: date | None = None
    earlier_visits: tuple[date, ...] = ()
    ysj_place: str = ""
    ysj_item: str = ""
    description: str = ""
    request: str = ""  # 诉求: what the complainant asks for


@dataclass(frozen=True)
class Registration:
    complainant: Complainant
    matter: Matter
    derived: Mapping[str, Any] = field(default_factory=dict)  # e.g. birth date, sex, phone display

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form, as stored in the ``registered`` event."""
        data: dict[str, Any] = _jsonable(self)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Registration:
        c = data["complainant"]
        m = data["matter"]
        complainant = Complainant(**{**c, "kind": ComplainantKind(c["kind"])})
        matter = Matter(
            **{
                **m,
                "channel": Channel(m["channel"]),
                "co_units": tuple(m.get("co_units", ())),
                "application_date": _date_or_none(m.get("application_date")),
                "earlier_visits": tuple(date.fromisoformat(d) for d in m.get("earlier_visits", ())),
            }
        )
        return cls(complainant, matter, dict(data.get("derived", {})))


def split_units(text: str) -> tuple[str, ...]:
    """Unit names as typed in one line: separated by commas, 、, semicolons or new lines."""
    return tuple(part.strip() for part in re.split(r"[,，、;；\n]+", text) if part.strip())


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _jsonable(value: Any) -> Any:
    """Dataclasses as dicts of their fields, sequences as lists, dates as ISO text; one walk
    (``asdict`` deep-copies every leaf first, a tenth of a registration's save)."""
    if is_dataclass(value):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def validate_registration(
    registration: Registration,
    *,
    categories: Sequence[Category],
    units: Sequence[str],
    today: date,
    refusal: bool = False,
) -> Registration:
    """Normalised registration, or FieldErrors with one message per wrong field.

    ``refusal``: the case is being recorded as not accepted, so the unit is optional and the
    category's evidence is not asked for.
    """
    errors: dict[str, str] = {}
    complainant, derived = _validate_complainant(registration.complainant, errors, today)
    matter = _validate_matter(registration.matter, errors, categories, units, today, refusal)
    if errors:
        raise FieldErrors(errors)
    return Registration(complainant, matter, derived)


def _validate_complainant(
    c: Complainant, errors: dict[str, str], today: date
) -> tuple[Complainant, dict[str, Any]]:
    """The normalised complainant, and what its checks derived (phone display, birth date…):
    each check runs once, as registration is a hot path."""
    enterprise = c.kind is ComplainantKind.ENTERPRISE
    name = validate_name(c.name, enterprise=enterprise)
    if not name.valid:
        errors["name"] = name.message
    phone = validate_phone(c.phone)
    if not phone.valid:
        errors["phone"] = phone.message
    derived: dict[str, Any] = {"phone_display": phone.display}
    id_number = ""
    if c.id_number.strip() and not enterprise:
        id_result = validate_resident_id(c.id_number, today=today)
        if id_result.valid:
            id_number = id_result.normalized
            derived.update(
                birth_date=id_result.birth_date.isoformat() if id_result.birth_date else None,
                sex=id_result.sex.value if id_result.sex else None,
                id_kind=id_result.kind.value if id_result.kind else None,
            )
        else:
            errors["id_number"] = id_result.message
    credit_code = ""
    contact = c.contact_person.strip()
    if enterprise:
        code = validate_credit_code(c.credit_code)
        if code.valid:
            credit_code = code.normalized
        else:
            errors["credit_code"] = code.message
        if contact:
            contact_result = validate_name(contact, enterprise=False)
            if not contact_result.valid:
                errors["contact_person"] = contact_result.message
            contact = contact_result.normalized
    clean = replace(
        c,
        name=name.normalized,
        phone=phone.normalized,
        id_number=id_number,
        credit_code=credit_code,
        contact_person=contact,
    )
    return clean, derived


def _validate_matter(
    m: Matter,
    errors: dict[str, str],
    categories: Sequence[Category],
    units: Sequence[str],
    today: date,
    refusal: bool,
) -> Matter:
    category = next((cat for cat in categories if cat.code == m.category), None)
    if category is None:
        errors["category"] = _("Choose one of the accepted categories.")
    item = m.service_item.strip()
    if not item:
        errors["service_item"] = _("Enter the service item the complainant applied for.")
    elif len(item) > SERVICE_ITEM_MAX:
        errors["service_item"] = _(
            "The service item is too long (at most {limit} characters)."
        ).format(limit=SERVICE_ITEM_MAX)
    unit = _check_units(m, units, refusal, errors)
    description = m.description.strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _(
            "The description is too long (at most {limit} characters)."
        ).format(limit=DESCRIPTION_MAX)
    _check_evidence(m, category.evidence if category and not refusal else (), today, errors)
    return replace(
        m,
        service_item=item,
        lead_unit=unit,
        description=description,
        request=m.request.strip(),
        application_no=m.application_no.strip(),
        ysj_place=m.ysj_place.strip(),
        ysj_item=m.ysj_item.strip(),
        earlier_visits=tuple(sorted(set(m.earlier_visits))),
    )


def _check_units(m: Matter, units: Sequence[str], refusal: bool, errors: dict[str, str]) -> str:
    """The lead unit (optional for a refusal) and the co-units must be the hall's; returns the
    lead unit as stored."""
    unit = m.lead_unit.strip()
    if not unit and not refusal:
        errors["lead_unit"] = _("Choose the responsible unit.")
    elif unit and unit not in units:
        errors["lead_unit"] = _("“{unit}” is not in this hall's unit list.").format(unit=unit)
    unknown_co = [u for u in m.co_units if u not in units or u == unit]
    if unknown_co:
        errors["co_units"] = _("Co-units must be other units from the hall's list.")
    return unit


def _check_evidence(
    m: Matter, evidence: Collection[Evidence], today: date, errors: dict[str, str]
) -> None:
    """What the category asks to be shown, and dates that cannot lie in the future."""
    if Evidence.APPLICATION in evidence:
        if not m.application_no.strip():
            errors["application_no"] = _("Enter the original application number.")
        if m.application_date is None:
            errors["application_date"] = _("Enter the date of the original application.")
    if m.application_date is not None and m.application_date > today:
        errors["application_date"] = _("The application date is in the future.")
    if Evidence.EARLIER_VISITS in evidence and not m.earlier_visits:
        errors["earlier_visits"] = _("Enter the dates of the earlier visits.")
    if any(visit > today for visit in m.earlier_visits):
        errors["earlier_visits"] = _("An earlier visit is dated in the future.")
    if Evidence.YSJ_REFERENCE in evidence and not (m.ysj_place.strip() and m.ysj_item.strip()):
        errors["ysj_reference"] = _(
            "Enter where in Shanghai, Jiangsu or Zhejiang the service can be handled, and its name."
        )
