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

from sqlalchemy import Connection

from dnw_desk.domain import complainant_search
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import OPEN_STATUSES, PENDING_FEEDBACK
from dnw_desk.domain.masking import mask_complainant_name
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import _
from dnw_desk.services.cases import day_range
from dnw_desk.store import queue_queries
from dnw_desk.store.cases_repo import CaseFilter, cases_for_complainant_keys
from dnw_desk.store.database import Database
from dnw_desk.store.queue_queries import SortKey as SortKey  # the queue orders by it


class QueueView(StrEnum):
    OPEN = "open"  # every case not finished
    TODAY = "today"  # registered today, whatever its status
    WINDOW = "window"  # open cases waiting on the window (a return to review, …)
    ALL = "all"


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
    rows = queue_queries.queue_page(
        conn, flt, query.sort, query.descending, PENDING_FEEDBACK, offset, limit
    )
    return [_row(raw) for raw in rows]


def count_rows(conn: Connection, query: QueueQuery, today: date) -> int:
    return queue_queries.queue_count(conn, query.effective_filter(today))


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
            return queue_queries.filter_choices(conn)


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
