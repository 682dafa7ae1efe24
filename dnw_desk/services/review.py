"""The shift lead's review: today's figures, the breakdowns, the handover note, the ledger rows
and the monthly per-unit bulletin. Qt-free; reports render what these return.

Figures about the day (registered, not accepted, fed back, on time) count that day's events;
figures about the queue (pending, due soon, overdue) are the state *now*, with levels computed
live from the deadlines (not from the cached column, which only a running desk refreshes) —
each case's level once per step of its ladder (``services.alerts.LevelMemo``), so a review shown
again recomputes only the cases whose clock moved or whose next level moment came.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from dnw_desk.clock import Clock, system_clock
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import PENDING_FEEDBACK, EventType, Status
from dnw_desk.domain.errors import FieldErrors
from dnw_desk.domain.masking import mask_id_number, mask_person_name, mask_phone
from dnw_desk.domain.roles import Actor, Permission
from dnw_desk.domain.unit_figures import UNASSIGNED
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import _
from dnw_desk.services.alerts import LevelMemo
from dnw_desk.services.bulletin import (
    MARK_FIELDS,
    UnitBulletin,
    marks_between,
    unit_bulletin,
)
from dnw_desk.services.cases import day_range, require
from dnw_desk.services.people import actor_label
from dnw_desk.services.reference_data import CategoryNames, category_names
from dnw_desk.store import accounts as accounts_repo
from dnw_desk.store import event_queries, review_queries
from dnw_desk.store.audit import append_audit
from dnw_desk.store.database import Database

if TYPE_CHECKING:
    from dnw_desk.services.desk import Desk


@dataclass(frozen=True)
class DayFigures:
    day: date
    registered: int
    not_accepted: int
    pending: int  # awaiting feedback now
    due_soon: int  # warning level now
    overdue: int  # past the deadline now (escalated by then or not; a 督办 alone is not 逾期)
    fed_back: int  # feedback completed on the day
    on_time: int  # of those, on time

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.fed_back if self.fed_back else None


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    registered: int = 0  # registered (by category) or referred (by unit) on the day
    pending: int = 0
    overdue: int = 0
    returns: int = 0  # returned by the unit on the day


@dataclass(frozen=True)
class HandoverNote:
    day: date
    written_at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class DayReview:
    figures: DayFigures
    by_category: tuple[Breakdown, ...]
    by_unit: tuple[Breakdown, ...]
    handover: HandoverNote | None
    generated_at: datetime
    # The day's accountability marks (domain.accountability), by UnitFigures field name.
    marks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerRow:
    number: str
    registered_at: datetime
    complainant: str
    phone: str
    id_number: str
    category: str
    service_item: str
    unit: str
    status: str
    deadline: datetime | None
    fed_back_at: datetime | None
    on_time: bool | None
    returns: int
    satisfaction: str
    clerk_no: str
    category_code: str = ""


@dataclass(frozen=True)
class ExportRequest:
    """What a ledger export covers; ``reason`` is required when ``masked`` is False."""

    first_day: date
    last_day: date  # inclusive
    masked: bool = True
    reason: str = ""
    format: str = "xlsx"

    def range(self) -> tuple[datetime, datetime]:
        return day_range(self.first_day)[0], day_range(self.last_day)[1]


def _tallies() -> tuple[defaultdict[str, int], defaultdict[str, int]]:
    return defaultdict(int), defaultdict(int)


@dataclass
class _QueueNow:
    """(pending, overdue) per category and per unit, and the totals due soon and overdue."""

    by_category: tuple[defaultdict[str, int], defaultdict[str, int]] = field(
        default_factory=_tallies
    )
    by_unit: tuple[defaultdict[str, int], defaultdict[str, int]] = field(default_factory=_tallies)
    due_soon: int = 0
    overdue: int = 0


@dataclass
class ReviewService:
    db: Database
    working_time: WorkingTime
    levels: LevelMemo
    categories: CategoryNames = field(default_factory=CategoryNames)  # code → label
    clock: Clock = system_clock

    # --- the day ---------------------------------------------------------------------------

    def day_review(self, actor: Actor, day: date | None = None) -> DayReview:
        require(actor, Permission.REVIEW)
        return self.build_day_review(day or self.clock().date())

    def build_day_review(self, day: date) -> DayReview:
        """The figures without the role check (the command line runs as the terminal)."""
        now = self.clock()
        start, end = day_range(day)
        with self.db.read() as conn:
            registered = review_queries.registered_by_category(conn, start, end)
            not_accepted = review_queries.registered_count(conn, start, end, Status.NOT_ACCEPTED)
            fed_back, on_time = review_queries.fed_back_counts(conn, start, end)
            unit_events = event_queries.events_by_type_and_unit(
                conn, (EventType.REFERRED, EventType.UNIT_RETURNED), start, end
            )
            referred = unit_events.get(EventType.REFERRED, {})
            returned = unit_events.get(EventType.UNIT_RETURNED, {})
            day_marks = marks_between(conn, start, end)
            pending = review_queries.clock_rows(conn, PENDING_FEEDBACK)
            note = _latest_note(conn, day)
        queue = self._queue_now(pending, now)
        cat_pending, cat_overdue = queue.by_category
        unit_pending, unit_overdue = queue.by_unit
        figures = DayFigures(
            day,
            sum(registered.values()),
            not_accepted,
            len(pending),
            queue.due_soon,
            queue.overdue,
            fed_back,
            on_time,
        )
        by_category = tuple(
            Breakdown(
                key,
                self.categories[key],
                registered.get(key, 0),
                cat_pending[key],
                cat_overdue[key],
            )
            for key in sorted(set(registered) | set(cat_pending))
        )
        unit_keys = set(referred) | set(unit_pending) | set(returned)
        by_unit = tuple(
            sorted(
                (
                    Breakdown(
                        key,
                        key or _("(no unit)"),
                        referred.get(key, 0),
                        unit_pending[key],
                        unit_overdue[key],
                        returned.get(key, 0),
                    )
                    for key in unit_keys
                ),
                key=lambda b: (-b.overdue, -b.pending, -b.registered, b.label),
            )
        )
        return DayReview(figures, by_category, by_unit, note, now, _mark_counts(day_marks))

    def _queue_now(self, pending: Sequence[Any], now: datetime) -> _QueueNow:
        """The levels of the cases awaiting feedback now, counted per category and unit."""
        queue = _QueueNow()
        for row, level in zip(pending, self.levels.levels(pending, now), strict=True):
            unit = row.lead_unit or UNASSIGNED
            queue.by_category[0][row.category] += 1
            queue.by_unit[0][unit] += 1
            if level is AlertLevel.WARNING:
                queue.due_soon += 1
            elif level >= AlertLevel.OVERDUE and row.deadline is not None and now > row.deadline:
                # Past the deadline; a case escalated by hand before it is not overdue yet.
                queue.overdue += 1
                queue.by_category[1][row.category] += 1
                queue.by_unit[1][unit] += 1
        return queue

    # --- handover note -----------------------------------------------------------------------

    def save_handover(self, actor: Actor, text: str, day: date | None = None) -> HandoverNote:
        require(actor, Permission.REVIEW)
        text = text.strip()
        if not text:
            raise FieldErrors({"text": _("Write the note for the next shift.")})
        now = self.clock()
        day = day or now.date()
        with self.db.write() as conn:
            review_queries.insert_handover(conn, day, now, actor.audit_name, text)
            append_audit(
                conn,
                at=now,
                actor=actor.audit_name,
                action="handover.saved",
                detail={"day": day.isoformat()},
            )
            author = actor_label(actor.audit_name, accounts_repo.people(conn))
        return HandoverNote(day, now, author, text)

    def handover(self, day: date) -> HandoverNote | None:
        with self.db.read() as conn:
            return _latest_note(conn, day)

    # --- the ledger --------------------------------------------------------------------------

    def authorise_export(
        self, actor: Actor | None, request: ExportRequest, *, command_line_user: str = ""
    ) -> str:
        """Check an export before it starts; returns who the audit log will name. Unmasked
        needs the role and a reason. ``actor`` None is the command line (no login there),
        audited as ``cli:<OS user>``. The audit entry comes with ``record_export``, once it is
        known what happened."""
        reason = request.reason.strip()
        if not request.masked:
            if actor is not None:
                require(actor, Permission.UNMASK)
            if len(reason) < 2:
                raise FieldErrors({"reason": _("Give the reason for an unmasked export.")})
        elif actor is not None:
            require(actor, Permission.REVIEW)
        return actor.audit_name if actor else f"cli:{command_line_user}"

    def record_export(
        self, who: str, request: ExportRequest, *, rows: int | None = None, error: str = ""
    ) -> None:
        """Audit what an export did: ``export.ledger`` / ``export.unmasked`` with the rows
        written, or ``export.failed`` with the reason (no file was left behind then)."""
        if error:
            action = "export.failed"
        else:
            action = "export.unmasked" if not request.masked else "export.ledger"
        detail: dict[str, Any] = {
            "from": request.first_day.isoformat(),
            "to": request.last_day.isoformat(),
            "format": request.format,
            "masked": request.masked,
            "reason": request.reason.strip(),
        }
        if error:
            detail["error"] = error
        else:
            detail["rows"] = rows
        with self.db.write() as conn:
            append_audit(conn, at=self.clock(), actor=who, action=action, detail=detail)

    def ledger_count(self, request: ExportRequest) -> int:
        start, end = request.range()
        with self.db.read() as conn:
            return review_queries.registered_count(conn, start, end)

    def iter_ledger(self, request: ExportRequest, batch: int = 2000) -> Iterator[LedgerRow]:
        """The cases registered in the range, oldest first, streamed in batches (keyset paging,
        so 100 000 rows never sit in memory at once). Masked unless the request says otherwise;
        call ``authorise_export`` first."""
        start, end = request.range()
        last: tuple[Any, str] | None = None
        while True:
            with self.db.read() as conn:
                rows = review_queries.ledger_page(conn, start, end, last, batch)
                satisfactions = review_queries.callback_satisfactions(conn, [r.id for r in rows])
            for row in rows:
                satisfaction = satisfactions.get(row.id, "")
                yield _ledger_row(row, satisfaction, request.masked, self.categories)
            if len(rows) < batch:
                return
            last = (rows[-1].registered_at, rows[-1].id)

    # --- the monthly bulletin ------------------------------------------------------------------

    def unit_bulletin(self, month: date) -> UnitBulletin:
        return unit_bulletin(self.db, self.working_time, month, self.clock())


def review_for(desk: Desk) -> ReviewService:
    return ReviewService(
        desk.db,
        desk.deadlines.working_time,
        LevelMemo(desk.deadlines.working_time, desk.alert_thresholds),
        category_names(desk.settings.categories),
        desk.clock,
    )


def _mark_counts(day_marks: Iterable[Any]) -> dict[str, int]:
    """The day's accountability marks by UnitFigures field name."""
    marks = dict.fromkeys(MARK_FIELDS.values(), 0)
    for mark in day_marks:
        if mark.mark in MARK_FIELDS:
            marks[MARK_FIELDS[mark.mark]] += 1
    return marks


# --- queries -----------------------------------------------------------------------------------


def _latest_note(conn: Connection, day: date) -> HandoverNote | None:
    """The newest note written on or before ``day`` (the shift before hands over to this one)."""
    row = review_queries.latest_handover(conn, day)
    if row is None:
        return None
    author = actor_label(row.author, accounts_repo.people(conn))
    return HandoverNote(date.fromisoformat(row.day), row.written_at, author, row.text)


def _ledger_row(row: Any, satisfaction: str, masked: bool, categories: CategoryNames) -> LedgerRow:
    person = row.complainant_kind != "enterprise"
    name = row.complainant_name or ""
    phone = row.phone or ""
    id_number = row.id_number or row.credit_code or ""
    if masked:
        name = mask_person_name(name) if person else name
        phone = mask_phone(phone) if phone else ""
        # Credit codes identify organisations, not people: they stay (domain.masking).
        id_number = mask_id_number(id_number) if row.id_number else id_number
    return LedgerRow(
        number=row.number,
        registered_at=row.registered_at,
        complainant=name,
        phone=phone,
        id_number=id_number,
        category=categories[row.category],
        service_item=row.service_item,
        unit=row.lead_unit or "",
        status=row.status,
        deadline=row.deadline,
        fed_back_at=row.fed_back_at,
        on_time=row.on_time,
        returns=row.returns,
        satisfaction=satisfaction,
        clerk_no=row.clerk_no,
        category_code=row.category,
    )
