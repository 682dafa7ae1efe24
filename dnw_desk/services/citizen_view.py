"""What the screen facing the citizen shows: their own case as it is typed, then its number.

The citizen sees their own data in full (it is theirs, in front of them) so they can say "that is
wrong" before the save — but never anything of another case: the view is built only from the
form being typed or the case just saved, and goes back to idle on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from dnw_desk.i18n import N_
from dnw_desk.printing.model import status_url
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.store.cases_repo import CaseRow

# The form fields the citizen checks, in the order they read them, with their labels.
MIRRORED = (
    ("name", N_("Name")),
    ("contact_person", N_("Contact person")),
    ("id_number", N_("ID number")),
    ("credit_code", N_("Credit code")),
    ("phone", N_("Phone")),
    ("category", N_("Category")),
    ("service_item", N_("Service item")),
    ("lead_unit", N_("Responsible unit")),
    ("description", N_("Description")),
    ("request", N_("Request (诉求)")),
)


@dataclass(frozen=True)
class SavedView:
    number: str
    deadline: datetime | None
    status_url: str


def mirror_lines(values: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label msgid, value) of each filled field, in reading order."""
    return [
        (label, values[name].strip()) for name, label in MIRRORED if values.get(name, "").strip()
    ]


def saved_view(settings: BusinessSettings, case: CaseRow) -> SavedView:
    return SavedView(
        case.number,
        case.deadline,
        status_url(settings.status_url_base, case.number, case.verification_code),
    )
