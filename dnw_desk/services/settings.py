"""Business settings, declared once with types and defaults (docs/architecture.md#layers).

They live in the database's ``settings`` table (so they travel with the data and can sync);
device-local settings (printer, window geometry) live in ``dnw_desk.local_settings``. Services
receive plain values taken from here, never this object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from dnw_desk.domain.registration import Category, Evidence
from dnw_desk.domain.sms import DEFAULT_TEXTS, SmsKind
from dnw_desk.services.reference_data import default_categories, default_units
from dnw_desk.store import settings_repo
from dnw_desk.store.audit import append_audit
from dnw_desk.store.database import Database


@dataclass(frozen=True)
class BusinessSettings:
    hall_code: str = "AH"
    hall_name: str = "安徽省政务服务中心"
    window_no: str = "08"
    window_name: str = "办不成事反映窗口"
    # Opening hours as "HH:MM-HH:MM" periods (a lunch break is the gap between them).
    opening_hours: str = "09:00-12:00,13:30-17:30"
    deadline_rule: str = "civil-code"  # or "working-hours:N"
    categories: tuple[Category, ...] = field(default_factory=default_categories)
    units: tuple[str, ...] = field(default_factory=default_units)
    # The server's ids of the units, once the server keeps the hall's unit list ((name, id)
    # pairs, synced): then ``units`` is that list and referrals carry the unit's id.
    unit_ids: tuple[tuple[str, int], ...] = ()
    reminder_fraction: float = 0.5  # reminder when this share of the working time is used
    warning_hours: float = 2.0  # warning when this many working hours or fewer remain
    idle_lock_minutes: int = 10
    repeat_visit_days: int = 90
    retention_days: int = 365
    rectification_days: int = 5  # working days a unit has for its 整改 after a bad rating
    status_url_base: str = "http://127.0.0.1:8765"
    hotline: str = "12345"
    # What the screen facing the citizen says while no one is at the counter.
    citizen_promise: str = "对办不成事，我们负责到底"
    receipt_language: str = "zh_CN"
    # Text messages to the complainant (docs/rules.md#text-messages). "log": written to the log
    # only (the default); "http": the gateway below. The secret is never stored here: it is read
    # from the environment variable named by sms_secret_env.
    sms_gateway: str = "log"
    sms_url: str = ""
    sms_key_id: str = ""
    sms_secret_env: str = "DNW_SMS_SECRET"
    sms_signature: str = "安徽政务服务"
    # The provider's template id of each message, as "registered=SMS_1,extended=SMS_2,…".
    sms_template_ids: str = ""
    sms_text_registered: str = DEFAULT_TEXTS[SmsKind.REGISTERED]
    sms_text_extended: str = DEFAULT_TEXTS[SmsKind.EXTENDED]
    sms_text_fed_back: str = DEFAULT_TEXTS[SmsKind.FED_BACK]
    sms_text_rating: str = DEFAULT_TEXTS[SmsKind.RATING]
    configured: bool = False  # the first-run wizard has been completed


_FIELDS = {f.name: f for f in fields(BusinessSettings)}


def _encode(name: str, value: Any) -> Any:
    if name == "categories":
        return [
            {
                "code": c.code,
                "label": c.label,
                "label_en": c.label_en,
                "evidence": [e.value for e in c.evidence],
            }
            for c in value
        ]
    if name == "unit_ids":
        return [[unit, unit_id] for unit, unit_id in value]
    if isinstance(value, tuple):
        return list(value)
    return value


def _decode(name: str, raw: Any) -> Any:
    if name == "categories":
        return tuple(
            Category(
                c["code"],
                c["label"],
                tuple(Evidence(e) for e in c.get("evidence", ())),
                c.get("label_en", ""),
            )
            for c in raw
        )
    if name == "unit_ids":
        return tuple((str(unit), int(unit_id)) for unit, unit_id in raw)
    if isinstance(raw, list):
        return tuple(raw)
    return raw


def read_settings(conn: Connection) -> BusinessSettings:
    stored = settings_repo.stored_settings(conn)
    values = {name: _decode(name, stored[name]) for name in _FIELDS if name in stored}
    return replace(BusinessSettings(), **values)


def load_settings(db: Database) -> BusinessSettings:
    with db.read() as conn:
        return read_settings(conn)


def save_settings(
    db: Database, new: BusinessSettings, *, actor: str, now: datetime
) -> BusinessSettings:
    """Store what changed, audit-logged with the names of the changed settings."""
    with db.write() as conn:
        write_settings(conn, new, actor=actor, now=now)
    return new


def write_settings(conn: Connection, new: BusinessSettings, *, actor: str, now: datetime) -> bool:
    """``save_settings`` inside the caller's transaction; whether anything changed."""
    old = read_settings(conn)
    changed = [name for name in _FIELDS if getattr(old, name) != getattr(new, name)]
    settings_repo.put_settings(
        conn, {name: _encode(name, getattr(new, name)) for name in changed}, now
    )
    if changed:
        append_audit(conn, at=now, actor=actor, action="settings.changed", detail={"keys": changed})
    return bool(changed)


def with_server_units(
    settings: BusinessSettings, units: Sequence[tuple[str, int]]
) -> BusinessSettings:
    """The settings once the server's unit list for the hall is known (none: unchanged, the
    embedded list keeps working offline)."""
    if not units:
        return settings
    return replace(settings, units=tuple(name for name, _id in units), unit_ids=tuple(units))


def unit_id_of(settings: BusinessSettings, unit: str) -> int | None:
    return dict(settings.unit_ids).get(unit)


def settings_as_dict(value: BusinessSettings) -> dict[str, Any]:
    return {name: _encode(name, getattr(value, name)) for name in asdict(value)}
