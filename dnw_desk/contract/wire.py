"""The sync wire format, shared by the desk's sync client and the central server.

One outbox operation is exactly what ``dnw_desk.store.outbox_queries.op_payload`` builds; the
server validates it with these models, so a malformed op is a 422 with a clear body, never a 500.
Free-form event data is checked to be plain JSON that every store accepts (finite numbers, no NUL
characters, no lone UTF-16 surrogates, bounded depth), because PostgreSQL refuses NaN and
``\\u0000`` in JSON and a lone surrogate cannot be encoded as UTF-8 at all.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from dnw_desk.domain.event_types import EventType, known_wire_type

API_PREFIX = "/api/v1"
PUSH_PATH = f"{API_PREFIX}/sync/push"
PULL_PATH = f"{API_PREFIX}/sync/pull"
WHOAMI_PATH = f"{API_PREFIX}/terminal"
HALL_NAME_PATH = f"{API_PREFIX}/terminal/hall-name"
UNITS_PATH = f"{API_PREFIX}/terminal/units"
BLOB_PATH = f"{API_PREFIX}/blobs"
FEEDBACK_PATH = f"{API_PREFIX}/feedback"
HEALTH_PATH = f"{API_PREFIX}/health"
ANCHOR_PATH = f"{API_PREFIX}/audit/anchor"
CALENDAR_PATH = f"{API_PREFIX}/calendar/latest"
CALENDAR_KEY_PATH = f"{API_PREFIX}/calendar/key"
# A year's override is a few kilobytes (the desk's own import has the same cap).
MAX_CALENDAR_BYTES = 1024 * 1024

MAX_BATCH = 500
MAX_PULL_PAGE = 500
MAX_JSON_DEPTH = 12
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _no_nul(value: str) -> str:
    """Text every store and every hash accepts: no NUL, valid Unicode (no lone surrogates)."""
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    if not _encodable(value):
        raise ValueError("lone UTF-16 surrogates are not allowed (the text is not valid Unicode)")
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_plain_json(value: Any) -> None:
    """Finite numbers, no NUL, valid Unicode, bounded depth; the common case is checked at C
    speed and only a failing value is walked, to name where the problem is."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except ValueError:
        raise ValueError("numbers must be finite") from None
    if "\x00" in text or "\\u0000" in text or not _encodable(text):
        _check_json(value)
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH:
        _check_json(value)  # enough containers to be too deep: walk it


def _check_json(value: Any, depth: int = 0, where: str = "data") -> None:
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: numbers must be finite")
    if isinstance(value, str):
        _named(where, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _named(f"{where} (a key)", str(key))
            _check_json(item, depth + 1, f"{where}.{_safe(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, depth + 1, f"{where}[{index}]")


def _named(where: str, value: str) -> None:
    try:
        _no_nul(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _safe(key: str) -> str:
    """A key as it may appear in an error message: printable, valid Unicode, short."""
    text = key.encode("utf-8", "replace").decode("utf-8")[:40]
    return "".join(c if c.isprintable() else "?" for c in text)


def _aware_in_range(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("give a time zone offset, e.g. 2026-11-24T10:00:00+08:00")
    if not EARLIEST <= value < LATEST:
        raise ValueError("the time is outside the years 2000–2199")
    return value


UNKNOWN_EVENT_TYPE = "unknown_event_type"


def _known_event_type(value: Any) -> Any:
    """An event type this version does not know is refused with its own error type and a
    reason that says what to do (a newer desk meets an older server: upgrade the server
    first, see the README), not pydantic's list of the enum's values."""
    if isinstance(value, str) and known_wire_type(value) is None:
        raise PydanticCustomError(
            UNKNOWN_EVENT_TYPE,
            "this server does not know the event type {type}: the sender is newer than the "
            "server; upgrade the server first (README, 'Event types and upgrading')",
            {"type": _safe(value)},
        )
    return value


KnownEventType = Annotated[EventType, BeforeValidator(_known_event_type)]
Text = Annotated[str, AfterValidator(_no_nul)]
Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]
Moment = Annotated[datetime, AfterValidator(_aware_in_range)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventIn(WireModel):
    id: Uuid
    type: KnownEventType
    at: Moment
    actor: Annotated[Text, Field(min_length=1, max_length=64)]
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("data")
    @classmethod
    def _plain_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        _check_plain_json(value)
        deadline = value.get("deadline")
        if deadline is not None:
            # The fold compares deadlines; a malformed one must be refused here, not crash there.
            if not isinstance(deadline, str):
                raise ValueError("data.deadline must be an ISO 8601 time")
            try:
                _aware_in_range(datetime.fromisoformat(deadline))
            except ValueError as exc:
                raise ValueError(f"data.deadline: {exc}") from None
        return value


class Op(WireModel):
    """One outbox operation: one event of one case."""

    op_id: Uuid
    case_id: Uuid
    case_no: Annotated[Text, Field(min_length=1, max_length=32)]
    hall: Annotated[Text, Field(min_length=1, max_length=8)]
    window: Annotated[Text, Field(min_length=1, max_length=4)]
    seq: Annotated[int, Field(ge=1, le=1_000_000)]
    event: EventIn


class PushRequest(WireModel):
    ops: Annotated[list[Op], Field(min_length=1, max_length=MAX_BATCH)]


Outcome = Literal["applied", "duplicate", "conflict", "not_found"]


class OpResult(WireModel):
    """What happened to one op. ``status`` follows HTTP: 201 applied, 200 already applied,
    409 conflict (the desk keeps its version for the shift lead), 404 no such case."""

    op_id: str
    outcome: Outcome
    status: int
    revision: int | None = None
    code: str | None = None
    message: str | None = None
    server_version: dict[str, Any] | None = None


class PushResponse(WireModel):
    results: list[OpResult]


class PulledEvent(WireModel):
    revision: int
    case_id: str
    case_no: str
    origin: str
    source: str
    event: EventIn


class PullResponse(WireModel):
    events: list[PulledEvent]
    next_cursor: int
    has_more: bool


class HallName(WireModel):
    """The name of the terminal's hall as set up on the desk (shown on the status page)."""

    name: Annotated[Text, Field(min_length=1, max_length=64)]


class HallNameResult(WireModel):
    hall: str
    name: str
    # False when an administrator named the hall on the server: that name stays.
    accepted: bool


class UnitEntry(WireModel):
    id: int
    name: str


class HallUnits(WireModel):
    """The units that serve the terminal's hall, as the server keeps them (with their ids)."""

    hall: str
    units: list[UnitEntry]


class TerminalInfo(WireModel):
    terminal_id: int
    hall: str
    window: str
    label: str = ""


class FeedbackRequest(WireModel):
    """A unit's (or the provincial platform's) step on a case; ``op_id`` makes retries safe.
    Which types a unit may post is the event table's ``unit_may_post`` (the route answers 403
    with the reason for the others)."""

    op_id: Uuid
    case_no: Annotated[Text, Field(min_length=1, max_length=32)]
    type: KnownEventType
    at: Moment
    by: Annotated[Text, Field(min_length=1, max_length=48)]
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("data")
    @classmethod
    def _plain_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        _check_plain_json(value)
        return value


class FeedbackResponse(WireModel):
    result: OpResult
    case_no: str
    status: str


class AuditAnchor(WireModel):
    """The head of a terminal's audit chain: its last entry's id and hash."""

    entry_id: Annotated[int, Field(ge=1, le=2**62)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class CalendarKey(WireModel):
    """The server's Ed25519 public key for calendar releases (raw, base64), pinned by desks."""

    public_key: Annotated[str, Field(min_length=1, max_length=64)]
    fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class CalendarRelease(WireModel):
    """A published working-day override: ``seq`` numbers the releases (a desk never goes back),
    ``signature`` is Ed25519 over ``calendar_signed_bytes(seq, text)``."""

    seq: Annotated[int, Field(ge=1, le=2**31)]
    text: Annotated[str, Field(max_length=MAX_CALENDAR_BYTES)]
    signature: Annotated[str, Field(min_length=1, max_length=128)]
    key_fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    published_at: datetime


def calendar_signed_bytes(seq: int, text: str) -> bytes:
    """What a calendar release's signature covers: its number and its exact text, so neither
    can be changed and an older release cannot pose as a newer one."""
    return f"dnw-calendar-release\n{seq}\n".encode("ascii") + text.encode("utf-8")


class Health(WireModel):
    status: str
    database: str
    schema_revision: str | None


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def op_fingerprint(op: Op | FeedbackRequest) -> str:
    """A stable hash of an op's content: the same op_id with another payload is refused."""
    return hashlib.sha256(canonical_json(op.model_dump(mode="json"))).hexdigest()
