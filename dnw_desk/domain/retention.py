"""Retention (README, Security and privacy): what of a case is personal, and when it is erased.

A case's personal fields are erased ``retention_days`` after it was closed (or not accepted),
and on the desk only once every change of it has reached the server. What stays is the stub:
number, status, category, unit, dates and the figures. Free text typed about a case (notes,
reasons, the unit's opinion, a callback's comment) is erased too: it may name the complainant,
and no rule can tell when it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

# Keys of event data that hold free text (services.handling's multiline fields, the unit's
# opinion, an attachment's file name, which may name a person); their values become "".
FREE_TEXT_KEYS = frozenset({"text", "note", "reason", "comment", "filename"})
# The complainant's personal fields in a registration; the kind (person/enterprise), the credit
# code (an organisation's) and the callback consent stay.
COMPLAINANT_PERSONAL = ("name", "phone", "id_number", "contact_person")
MATTER_FREE_TEXT = ("description", "request")


def purge_cutoff(now: datetime, retention_days: int) -> datetime:
    """Cases closed at or before this moment are due."""
    return now - timedelta(days=max(0, retention_days))


def purge_registration(data: Mapping[str, Any]) -> dict[str, Any]:
    """A registration (event data or the case's details) without its personal data; the same
    shape, so it still reads back as a ``Registration``."""
    purged = dict(data)
    complainant = data.get("complainant")
    if isinstance(complainant, Mapping):
        purged["complainant"] = {
            key: ("" if key in COMPLAINANT_PERSONAL else value)
            for key, value in complainant.items()
        }
    matter = data.get("matter")
    if isinstance(matter, Mapping):
        purged["matter"] = {
            key: ("" if key in MATTER_FREE_TEXT else value) for key, value in matter.items()
        }
    if "derived" in data:
        purged["derived"] = {}  # birth date, sex, the phone as shown
    return purged


def purge_event_data(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's data without personal data or free text."""
    purged = purge_registration(data) if event_type == "registered" else dict(data)
    for key in FREE_TEXT_KEYS & purged.keys():
        if isinstance(purged[key], str):
            purged[key] = ""
    return purged
