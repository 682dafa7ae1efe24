"""Use cases on the case timeline: register, refuse, and record every later step.

Each call is one write transaction holding the case row, its event(s), the outbox op(s) and the
audit entries (docs/rules.md#numbering, #privacy, #sync): either all of it is saved or none of it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from dnw_desk.clock import HALL_TZ, Clock, system_clock
from dnw_desk.domain import complainant_search
from dnw_desk.domain.case import (
    CaseState,
    Event,
    EventType,
    apply_event,
    apply_new_event,
    fold,
)
from dnw_desk.domain.deadlines import DeadlineResult
from dnw_desk.domain.errors import DomainError, WorkflowError
from dnw_desk.domain.event_types import EVENT_SPECS
from dnw_desk.domain.numbering import format_case_number, new_verification_code
from dnw_desk.domain.registration import Category, Registration, validate_registration
from dnw_desk.domain.roles import Actor, Permission, may
from dnw_desk.i18n import _
from dnw_desk.services.changes import Changes
from dnw_desk.store import cases_repo, outbox_queries
from dnw_desk.store.audit import AuditEntry, append_audit_many
from dnw_desk.store.cases_repo import CaseRow
from dnw_desk.store.database import Database

log = logging.getLogger(__name__)

DeadlineFn = Callable[[datetime], DeadlineResult]


class PermissionDenied(DomainError):
    """The logged-in role may not do this."""


class CaseNotFound(DomainError):
    pass


@dataclass(frozen=True)
class Terminal:
    """The hall and window this desk is bound to (set at enrolment)."""

    hall: str
    window: str


@dataclass(frozen=True)
class Saved:
    case: CaseRow
    event_ids: tuple[str, ...]
    changes: Changes


Step = tuple[EventType, dict[str, Any]]
SYSTEM_ACTOR = "system:desk"  # who records the steps the desk takes by itself


@dataclass(frozen=True)
class NewCase:
    """What registering one case writes: its row, search-index rows, events and their fold."""

    case_id: str
    number: str
    row: dict[str, Any]
    key_rows: list[dict[str, Any]]
    events: list[Event]
    state: CaseState
    calendar_version: str | None


def require(actor: Actor, permission: Permission) -> None:
    if not may(actor.role, permission):
        raise PermissionDenied(
            _("Your role may not do this ({permission}).").format(permission=permission.value)
        )


class CaseService:
    def __init__(
        self,
        db: Database,
        terminal: Terminal,
        deadline_for: DeadlineFn,
        clock: Clock = system_clock,
        unit_ids: Mapping[str, int] | None = None,
    ) -> None:
        self.db = db
        self.terminal = terminal
        self.deadline_for = deadline_for
        self.clock = clock
        self.unit_ids = dict(unit_ids or {})  # the server's ids of the hall's units, if synced

    # --- registration ------------------------------------------------------------------------

    def register(
        self,
        registration: Registration,
        actor: Actor,
        *,
        categories: Sequence[Category],
        units: Sequence[str],
        refer: bool = True,
    ) -> Saved:
        """Validate, number and save a new case; by default refer it to its unit at once, which
        starts the feedback clock printed on the receipt."""
        now = self.clock()
        clean, follow_up = self.plan_registration(
            registration, actor, categories=categories, units=units, refer=refer, now=now
        )
        return self._create(clean, actor, now, follow_up)

    def plan_registration(
        self,
        registration: Registration,
        actor: Actor,
        *,
        categories: Sequence[Category],
        units: Sequence[str],
        refer: bool,
        now: datetime,
    ) -> tuple[Registration, list[Step]]:
        """What ``register`` saves at ``now``: the validated registration and the steps taken
        with it (no I/O; demo data builds its cases with it too)."""
        require(actor, Permission.REGISTER)
        clean = validate_registration(
            registration, categories=categories, units=units, today=now.date()
        )
        follow_up: list[Step] = []
        if refer:
            follow_up.append((EventType.REFERRED, self._referral_data(clean.matter.lead_unit, now)))
        return clean, follow_up

    def register_not_accepted(
        self,
        registration: Registration,
        actor: Actor,
        *,
        reason_code: str,
        reason: str,
        advice: str,
        units: Sequence[str],
    ) -> Saved:
        """A case outside scope: recorded with its reason so the one-time notice can be printed."""
        now = self.clock()
        clean, steps = self.plan_not_accepted(
            registration,
            actor,
            reason_code=reason_code,
            reason=reason,
            advice=advice,
            units=units,
            now=now,
        )
        return self._create(clean, actor, now, steps)

    def plan_not_accepted(
        self,
        registration: Registration,
        actor: Actor,
        *,
        reason_code: str,
        reason: str,
        advice: str,
        units: Sequence[str],
        now: datetime,
    ) -> tuple[Registration, list[Step]]:
        """What ``register_not_accepted`` saves at ``now`` (no I/O)."""
        require(actor, Permission.REGISTER)
        if not reason.strip():
            raise DomainError(_("Give the reason the case is not accepted."))
        if not advice.strip():
            raise DomainError(_("Tell the complainant where to go instead."))
        # Outside the accepted categories by definition: file it under the refusal reason.
        clean = validate_registration(
            replace(registration, matter=replace(registration.matter, category=reason_code)),
            categories=[Category(reason_code, reason)],
            units=units,
            today=now.date(),
            refusal=True,
        )
        data = {"reason_code": reason_code, "reason": reason.strip(), "advice": advice.strip()}
        return clean, [(EventType.NOT_ACCEPTED, data)]

    def new_case(
        self,
        registration: Registration,
        actor: Actor,
        now: datetime,
        follow_up: Sequence[Step],
        serial: int,
    ) -> NewCase:
        """The rows a registration writes, built in memory from a planned registration."""
        case_id = str(uuid.uuid4())
        hall, window = self.terminal.hall, self.terminal.window
        number = format_case_number(hall, window, now.date(), serial)
        code = new_verification_code()
        terminal = self.terminal
        row = case_row_values(case_id, number, code, serial, registration, actor, now, terminal)
        registered = registered_event_data(registration, number, code, self.terminal, actor)
        state: CaseState | None = None
        events = []
        for event_type, data in [(EventType.REGISTERED, registered), *follow_up]:
            event = Event(str(uuid.uuid4()), case_id, event_type, now, actor.audit_name, data)
            state = apply_event(state, event)
            events.append(event)
        assert state is not None
        return NewCase(
            case_id,
            number,
            row,
            complainant_key_rows(self.db.search_secret, case_id, registration),
            events,
            state,
            _calendar_version(follow_up),
        )

    def _create(
        self,
        registration: Registration,
        actor: Actor,
        now: datetime,
        follow_up: list[Step],
    ) -> Saved:
        hall, window = self.terminal.hall, self.terminal.window
        with self.db.write() as conn:
            serial = cases_repo.allocate_serial(conn, hall, window, now.date())
            new = self.new_case(registration, actor, now, follow_up, serial)
            # The row goes in with its cached columns already folded: one insert, no update,
            # and nothing to read back (registration is the counter's hot path).
            row = cases_repo.folded_case_row(
                new.row, new.state, len(new.events), now, new.calendar_version
            )
            cases_repo.insert_case(conn, row)
            cases_repo.insert_complainant_keys(conn, new.key_rows)
            self._write_events(conn, new.events, 1, new.number, now)
        event_ids = tuple(event.event_id for event in new.events)
        saved = cases_repo.inserted_case_row(row)
        return Saved(saved, event_ids, Changes(case_ids=frozenset({new.case_id})))

    # --- later steps -------------------------------------------------------------------------

    def record(
        self,
        case_id: str,
        event_type: EventType,
        actor: Actor,
        data: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
        then: Sequence[Step] = (),
    ) -> Saved:
        """Append one event after checking the role and the workflow; ``then``: steps the
        desk records by itself right after it, in the same transaction."""
        now = self.clock()
        with self.db.write() as conn:
            events = cases_repo.load_events(conn, case_id)
            if not events:
                raise CaseNotFound(_("No case with this id."))
            event, state = self.next_event(events, event_type, actor, data, at=at, now=now)
            new = [event]
            for follow_type, follow_data in then:
                follow, state = self.next_event(
                    [*events, *new],
                    follow_type,
                    actor,
                    follow_data,
                    at=None,
                    now=max(now, new[-1].at),
                    state=state,
                    automatic=True,
                )
                new.append(follow)
            number = _number_of(events)
            self._write_events(conn, new, len(events) + 1, number, now)
            cases_repo.store_state(
                conn,
                case_id,
                state,
                len(events) + len(new),
                now,
                _calendar_version([(event_type, event.data)]),
            )
            row = cases_repo.get_case(conn, case_id)
        assert row is not None
        ids = tuple(e.event_id for e in new)
        return Saved(row, ids, Changes(case_ids=frozenset({case_id})))

    def next_event(
        self,
        events: Sequence[Event],
        event_type: EventType,
        actor: Actor,
        data: Mapping[str, Any] | None,
        *,
        at: datetime | None,
        now: datetime,
        state: CaseState | None = None,
        automatic: bool = False,
    ) -> tuple[Event, CaseState]:
        """The event ``record`` appends to ``events`` at ``now``, and the state after it
        (no I/O; ``state``: the fold of ``events``, when the caller has it). ``automatic``:
        a step the desk records by itself (the event table says which), after ``actor``'s."""
        if event_type is EventType.REGISTERED:
            raise DomainError(_("Use registration to create a case."))
        spec = EVENT_SPECS[event_type]
        if automatic != spec.automatic:
            raise DomainError(_("This step is recorded by the desk itself."))
        if spec.permission is not None:
            require(actor, spec.permission)
        when = at or now
        if when > now + timedelta(minutes=1):
            raise DomainError(_("An event cannot be dated in the future."))
        payload = dict(data or {})
        if at is None and when < events[-1].at:
            # The PC clock went back (e.g. an NTP correction): keep the timeline in order
            # rather than refuse the clerk's action.
            log.warning("clock is behind the case's last event; using the event's time")
            when = events[-1].at
        before = state if state is not None else fold(events)
        if event_type is EventType.REDO and not payload.get("unit"):
            payload["unit"] = before.lead_unit
        if event_type in (EventType.REFERRED, EventType.REDO) and "deadline" not in payload:
            payload.update(self._referral_data(payload.get("unit", ""), when))
        event = Event(
            str(uuid.uuid4()), events[0].case_id, event_type, when, actor.audit_name, payload
        )
        return event, apply_new_event(before, event)

    def record_automatic(
        self,
        steps: Sequence[tuple[str, EventType, dict[str, Any], datetime]],
        also: Callable[[Connection], None] | None = None,
    ) -> list[str]:
        """Steps the desk records by itself (``automatic`` in the event table), each at its own
        moment — e.g. an alert level crossed while no desk was open — in one transaction, by
        ``SYSTEM_ACTOR``. A step the workflow refuses now (another desk step came first) is
        left out. ``also`` writes the caller's own bookkeeping in the same transaction.
        Returns the ids of the cases written."""
        by_case: dict[str, list[tuple[EventType, dict[str, Any], datetime]]] = {}
        for case_id, event_type, data, at in steps:
            if not EVENT_SPECS[event_type].automatic:
                raise DomainError(_("This step is recorded by the desk itself."))
            by_case.setdefault(case_id, []).append((event_type, data, at))
        now = self.clock()
        written: list[str] = []
        with self.db.write() as conn:
            for case_id, planned in by_case.items():
                events = cases_repo.load_events(conn, case_id)
                if not events:
                    continue
                state = fold(events)
                new: list[Event] = []
                for event_type, data, at in planned:
                    event = Event(
                        str(uuid.uuid4()), case_id, event_type, min(at, now), SYSTEM_ACTOR, data
                    )
                    try:
                        state = apply_event(state, event)
                    except WorkflowError:
                        continue
                    new.append(event)
                if not new:
                    continue
                self._write_events(conn, new, len(events) + 1, _number_of(events), now)
                cases_repo.store_state(conn, case_id, state, len(events) + len(new), now, None)
                written.append(case_id)
            if also is not None:
                also(conn)
        return written

    # --- helpers -----------------------------------------------------------------------------

    def _referral_data(self, unit: str, at: datetime) -> dict[str, Any]:
        result = self.deadline_for(at)
        data: dict[str, Any] = {
            "unit": unit,
            "deadline": result.deadline.isoformat(),
            "deadline_provisional": result.provisional,
            "calendar_version": result.calendar_version,
            "rule": result.rule,
        }
        if unit in self.unit_ids:
            data["unit_id"] = self.unit_ids[unit]
        return data

    def _write_events(
        self, conn: Connection, events: list[Event], first_seq: int, number: str, now: datetime
    ) -> None:
        """The events, their outbox operations and audit entries: three statements in all."""
        numbered = list(zip(events, range(first_seq, first_seq + len(events)), strict=True))
        cases_repo.insert_events(conn, numbered, now)
        ops, entries = event_records(numbered, now)
        outbox_queries.enqueue_ops(conn, ops, now)
        append_audit_many(conn, entries)

    def events(self, case_id: str) -> list[Event]:
        with self.db.read() as conn:
            return cases_repo.load_events(conn, case_id)

    # --- reading -------------------------------------------------------------------------------

    def count(self) -> int:
        """How many cases the desk holds."""
        with self.db.read() as conn:
            return cases_repo.count_cases(conn)

    def by_number(self, number: str) -> CaseRow | None:
        with self.db.read() as conn:
            return cases_repo.get_case_by_number(conn, number)

    def earlier_visits(
        self, *, id_number: str, phone: str, credit_code: str, since: datetime
    ) -> list[CaseRow]:
        """The cases registered since ``since`` for the same person or organisation (unmasked:
        the clerk is registering that person)."""
        with self.db.read() as conn:
            return cases_repo.cases_by_identity(
                conn, id_number=id_number, phone=phone, credit_code=credit_code, since=since
            )


def event_records(
    numbered: Sequence[tuple[Event, int]], now: datetime
) -> tuple[list[dict[str, Any]], list[AuditEntry]]:
    """The outbox operation and the audit entry of each (event, seq) recorded at ``now``."""
    ops = [
        {"op_id": str(uuid.uuid4()), "case_id": event.case_id, "event_id": event.event_id}
        for event, _seq in numbered
    ]
    entries = [
        AuditEntry(
            now,
            event.actor,
            f"case.{event.type.value}",
            event.case_id,
            _audit_details(event),
        )
        for event, seq in numbered
    ]
    return ops, entries


def _audit_details(event: Event) -> dict[str, Any]:
    # Which event, not a copy of it: the case is the entry's case_id, and the event row's hash
    # is in the entry (``detail["rows"]``) that closes the action.
    details: dict[str, Any] = {"event_id": event.event_id}
    if event.type is EventType.ATTACHMENT_ADDED:
        # The audit chain vouches for the very bytes attached, not only that a file was.
        details["sha256"] = event.data.get("sha256")
    return details


def case_row_values(
    case_id: str,
    number: str,
    code: str,
    serial: int,
    registration: Registration,
    actor: Actor,
    now: datetime,
    terminal: Terminal,
) -> dict[str, Any]:
    """The new row of the cases table; its cached columns start as "registered"."""
    complainant, matter = registration.complainant, registration.matter
    return {
        "id": case_id,
        "number": number,
        "hall": terminal.hall,
        "window": terminal.window,
        "day": now.strftime("%Y%m%d"),
        "serial": serial,
        "verification_code": code,
        "registered_at": now,
        "clerk_no": actor.clerk_no,
        "category": matter.category,
        "service_item": matter.service_item,
        "lead_unit": matter.lead_unit or None,
        "complainant_kind": complainant.kind.value,
        "complainant_name": complainant.name,
        "phone": complainant.phone,
        "id_number": complainant.id_number or None,
        "credit_code": complainant.credit_code or None,
        "search_text": cases_repo.search_text_for(number, matter.service_item, matter.lead_unit),
        "status": "registered",
        "updated_at": now,
    }


def complainant_key_rows(
    secret: bytes, case_id: str, registration: Registration
) -> list[dict[str, Any]]:
    """The case's rows in the complainant search index (keyed hashes, no clear text)."""
    c = registration.complainant
    values = complainant_search.case_values(
        name=c.name,
        phone=c.phone,
        id_number=c.id_number,
        credit_code=c.credit_code,
        contact_person=c.contact_person,
    )
    return [
        {"digest": digest, "case_id": case_id}
        for digest in complainant_search.digests(secret, values)
    ]


def registered_event_data(
    registration: Registration, number: str, code: str, terminal: Terminal, actor: Actor
) -> dict[str, Any]:
    return {
        **registration.to_data(),
        "number": number,
        "verification_code": code,
        "hall": terminal.hall,
        "window": terminal.window,
        "clerk_no": actor.clerk_no,
    }


def _calendar_version(steps: Sequence[tuple[EventType, Mapping[str, Any]]]) -> str | None:
    """The calendar version of a deadline computed in these steps, if any."""
    versions = [data["calendar_version"] for _type, data in steps if "calendar_version" in data]
    return str(versions[-1]) if versions else None


def _number_of(events: Sequence[Event]) -> str:
    return str(events[0].data["number"])


def day_range(day: date) -> tuple[datetime, datetime]:
    """The hall-time bounds of one day, for "today's cases" filters."""
    start = datetime(day.year, day.month, day.day, tzinfo=HALL_TZ)
    return start, start + timedelta(days=1)
