"""The queue's queries: a window of slim, masked rows and a count, filtered and sorted in SQL.

The table model asks for one page at a time (``page``), so opening the queue with 100 000 cases
stored reads only the rows on screen. Rows carry no personal data in clear: the complainant's
name is masked here, before it reaches the GUI. The search text finds cases by number, service
item and unit, and by the complainant through a keyed-hash index (domain.complainant_search).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, case, func, select

from dnw_desk.domain import complainant_search
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import OPEN_STATUSES, PENDING_FEEDBACK
from dnw_desk.domain.masking import mask_complainant_name
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import _
from dnw_desk.services.cases import day_range
from dnw_desk.store.cases_repo import CaseFilter, cases_for_complainant_keys, filtered_select
from dnw_desk.store.database import Database
from dnw_desk.store.tables import cases


class QueueView(StrEnum):
    OPEN = "open"  # every case not finished
    TODAY = "today"  # registered today, whatever its status
    WINDOW = "window"  # open cases waiting on the window (a return to review, …)
    ALL = "all"


class SortKey(StrEnum):
    TIME_LEFT = "time_left"  # the deadline: the nearest first (no deadline last)
    NUMBER = "number"
    REGISTERED = "registered"
    CATEGORY = "category"
    UNIT = "unit"
    STATUS = "status"
    LEVEL = "level"


_LEVEL_RANK = {"none": 0, "reminder": 1, "warning": 2, "overdue": 3, "escalated": 4}
OPEN_VALUES = sorted(status.value for status in OPEN_STATUSES)
PENDING_VALUES = frozenset(status.value for status in PENDING_FEEDBACK)


@dataclass(frozen=True)
class QueueQuery:
    view: QueueView = QueueView.OPEN
    filter: CaseFilter = field(default_factory=CaseFilter)
    sort: SortKey = SortKey.TIME_LEFT
    descending: bool = False

    def effective_filter(self, today: date) -> CaseFilter:
        flt = self.filter
        if self.view is QueueView.WINDOW:
            flt = replace(flt, waiting_on_window=True)
        if self.view in (QueueView.OPEN, QueueView.WINDOW):
            statuses = (
                [s for s in flt.statuses if s in OPEN_VALUES] if flt.statuses else OPEN_VALUES
            )
            # A status filter outside the open ones leaves nothing: keep an impossible value.
            flt = replace(flt, statuses=statuses or ["-"])
        elif self.view is QueueView.TODAY:
            start, end = day_range(today)
            flt = replace(
                flt,
                registered_from=max(start, flt.registered_from or start),
                registered_to=min(end, flt.registered_to or end),
            )
        return flt


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: str
    number: str
    registered_at: datetime
    complainant: str  # masked
    category: str
    unit: str | None
    status: str
    clerk_no: str
    referred_at: datetime | None
    deadline: datetime | None
    deadline_provisional: bool
    level: str
    escalated: bool
    returns: int


_COLUMNS = (
    cases.c.id,
    cases.c.number,
    cases.c.registered_at,
    cases.c.complainant_kind,
    cases.c.complainant_name,
    cases.c.category,
    cases.c.lead_unit,
    cases.c.status,
    cases.c.clerk_no,
    cases.c.referred_at,
    cases.c.deadline,
    cases.c.deadline_provisional,
    cases.c.level,
    cases.c.escalated,
    cases.c.returns,
)


def _order(sort: SortKey, descending: bool) -> list[Any]:
    if sort is SortKey.TIME_LEFT:
        # Cases whose clock runs come first (nearest deadline first); the others after them.
        waiting = case((cases.c.status.in_(sorted(PENDING_VALUES)), 0), else_=1)
        deadline = cases.c.deadline.desc() if descending else cases.c.deadline
        return [waiting, cases.c.deadline.is_(None), deadline, cases.c.number]
    if sort is SortKey.LEVEL:
        rank = case(_LEVEL_RANK, value=cases.c.level, else_=0)
        # Most urgent first by default, then the nearest deadline.
        return [rank if descending else rank.desc(), cases.c.deadline, cases.c.number]
    column = {
        SortKey.NUMBER: cases.c.number,
        SortKey.REGISTERED: cases.c.registered_at,
        SortKey.CATEGORY: cases.c.category,
        SortKey.UNIT: cases.c.lead_unit,
        SortKey.STATUS: cases.c.status,
    }[sort]
    return [column.desc() if descending else column, cases.c.number]


def _masked_name(kind: str, name: str | None) -> str:
    if not name:
        return ""
    return mask_complainant_name(kind, name)


def _row(raw: Any) -> QueueRow:
    return QueueRow(
        id=raw.id,
        number=raw.number,
        registered_at=raw.registered_at,
        complainant=_masked_name(raw.complainant_kind, raw.complainant_name),
        category=raw.category,
        unit=raw.lead_unit,
        status=raw.status,
        clerk_no=raw.clerk_no,
        referred_at=raw.referred_at,
        deadline=raw.deadline,
        deadline_provisional=bool(raw.deadline_provisional),
        level=raw.level,
        escalated=bool(raw.escalated),
        returns=raw.returns,
    )


def page_rows(
    conn: Connection, query: QueueQuery, today: date, offset: int, limit: int
) -> list[QueueRow]:
    flt = query.effective_filter(today)
    stmt = filtered_select(flt).with_only_columns(*_COLUMNS)
    stmt = stmt.order_by(*_order(query.sort, query.descending))
    return [_row(raw) for raw in conn.execute(stmt.limit(limit).offset(offset))]


def count_rows(conn: Connection, query: QueueQuery, today: date) -> int:
    flt = query.effective_filter(today)
    stmt = filtered_select(flt).with_only_columns(func.count()).select_from(cases)
    return int(conn.execute(stmt).scalar_one())


@dataclass(frozen=True)
class Page:
    offset: int
    rows: tuple[QueueRow, ...]
    more: bool  # there are rows after this page


class QueueService:
    """Read-only queries for the queue screen (run on the task runner, never the GUI thread)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def page(self, query: QueueQuery, today: date, offset: int, limit: int) -> Page:
        # One row more than asked tells whether another page exists without counting them all.
        with self.db.read() as conn:
            query = self._with_complainants(conn, query)
            rows = page_rows(conn, query, today, offset, limit + 1)
        return Page(offset, tuple(rows[:limit]), len(rows) > limit)

    def count(self, query: QueueQuery, today: date) -> int:
        with self.db.read() as conn:
            return count_rows(conn, self._with_complainants(conn, query), today)

    def _with_complainants(self, conn: Connection, query: QueueQuery) -> QueueQuery:
        """The search text also finds cases by their complainant (name, phone, ID number,
        credit code), through the keyed-hash index: rows still come back masked."""
        values = complainant_search.query_values(query.filter.text)
        if not values:
            return query
        digests = complainant_search.digests(self.db.search_secret, values)
        found = tuple(cases_for_complainant_keys(conn, digests))
        return replace(query, filter=replace(query.filter, complainant_case_ids=found))

    def filter_choices(self) -> tuple[list[str], list[str], list[str]]:
        """Categories, units and clerk numbers present in the store (for the filter boxes)."""
        with self.db.read() as conn:
            return tuple(  # type: ignore[return-value]
                [
                    value
                    for (value,) in conn.execute(
                        select(column).where(column.is_not(None)).distinct().order_by(column)
                    )
                ]
                for column in (cases.c.category, cases.c.lead_unit, cases.c.clerk_no)
            )


@dataclass(frozen=True, slots=True)
class Countdown:
    """Working time left before the deadline (or past it), and the live alert level."""

    left: timedelta  # zero once the deadline has passed
    overdue: timedelta  # working time since the deadline; zero before it
    level: AlertLevel


NO_COUNTDOWN = Countdown(timedelta(0), timedelta(0), AlertLevel.NONE)


class Clocked(Protocol):
    """What a countdown needs of a case: a queue row or a stored case row."""

    @property
    def status(self) -> str: ...
    @property
    def referred_at(self) -> datetime | None: ...
    @property
    def deadline(self) -> datetime | None: ...
    @property
    def escalated(self) -> bool: ...


def countdown_of(
    row: Clocked,
    now: datetime,
    working_time: WorkingTime,
    level_of: Callable[[datetime | None, datetime | None, bool, datetime], AlertLevel],
) -> Countdown | None:
    """The countdown of a case awaiting feedback; None when no clock runs for it."""
    if row.status not in PENDING_VALUES or row.deadline is None:
        return None
    level = level_of(row.referred_at, row.deadline, row.escalated, now)
    if now > row.deadline:
        return Countdown(timedelta(0), working_time.between(row.deadline, now), level)
    return Countdown(working_time.left(now, row.deadline), timedelta(0), level)


def format_span(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return _("{hours} h {minutes:02d} min").format(hours=minutes // 60, minutes=minutes % 60)


def format_countdown(countdown: Countdown | None) -> str:
    if countdown is None:
        return "—"
    if countdown.overdue > timedelta(0):
        return _("overdue by {span}").format(span=format_span(countdown.overdue))
    return format_span(countdown.left)
