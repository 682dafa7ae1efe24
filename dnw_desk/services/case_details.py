"""What the case detail shows of a registration besides the masked personal fields: the matter
as the citizen told it (description, request, co-units, channel) and the evidence its category
rests on. An enterprise's name and credit code identify an organisation and are shown in full;
its contact person is a person and is masked like any name."""

from __future__ import annotations

from collections.abc import Sequence

from dnw_desk.domain.case import Event, EventType
from dnw_desk.domain.masking import mask_person_name
from dnw_desk.domain.registration import CHANNEL_LABELS, ComplainantKind, Registration
from dnw_desk.i18n import N_, _

Detail = tuple[str, str]  # (label, text), both ready to show


def registration_of(events: Sequence[Event]) -> Registration | None:
    for event in events:
        if event.type is EventType.REGISTERED:
            return Registration.from_data(event.data)
    return None


def complainant_details(registration: Registration) -> tuple[Detail, ...]:
    """Who complains beyond the masked fields: an enterprise's credit code and contact."""
    c = registration.complainant
    if c.kind is not ComplainantKind.ENTERPRISE:
        return ()
    pairs = [
        (N_("Credit code"), c.credit_code),
        (N_("Contact person"), mask_person_name(c.contact_person)),
    ]
    return tuple((_(title), text) for title, text in pairs if text)


def registration_details(registration: Registration) -> tuple[Detail, ...]:
    """The matter's facts in the order of the intake form, empty ones left out."""
    m = registration.matter
    pairs = [
        (N_("Application no."), m.application_no),
        (N_("Applied on"), m.application_date.isoformat() if m.application_date else ""),
        (N_("Earlier visits"), "、".join(day.isoformat() for day in m.earlier_visits)),
        (N_("Where (沪苏浙)"), m.ysj_place),
        (N_("Item there"), m.ysj_item),
        (N_("Co-units"), "、".join(m.co_units)),
        (N_("Channel"), _(CHANNEL_LABELS[m.channel])),
        (N_("Description"), m.description),
        (N_("Request (诉求)"), m.request),
    ]
    return tuple((_(title), text) for title, text in pairs if text)
