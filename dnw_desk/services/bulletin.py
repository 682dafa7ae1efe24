"""The monthly per-unit bulletin (责任单位月度通报): each unit's referrals, feedback on time,
overdue cases, returns, callbacks and the accountability marks its timelines earned
(domain.accountability), ranked by a documented penalty score, worst first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.accountability import Mark, UnitMark, unit_marks
from dnw_desk.domain.case import PENDING_FEEDBACK, EventType, Satisfaction
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_, _
from dnw_desk.store import event_queries, review_queries
from dnw_desk.store.database import Database
from dnw_desk.store.event_queries import UNASSIGNED

SATISFACTION_SCORE = {
    Satisfaction.VERY_SATISFIED: 5,
    Satisfaction.SATISFIED: 4,
    Satisfaction.NEUTRAL: 3,
    Satisfaction.UNSATISFIED: 2,
    Satisfaction.VERY_UNSATISFIED: 1,
}
# Each timeline mark and the UnitFigures field that counts it.
MARK_FIELDS: dict[Mark, str] = {
    Mark.LATE_RETURN: "late_returns",
    Mark.RETURN_ACCEPTED: "returns_accepted",
    Mark.RETURN_REJECTED: "returns_rejected",
    Mark.EXTENSION_REQUESTED: "extensions_requested",
    Mark.EXTENSION_GRANTED: "extensions_granted",
    Mark.YELLOW_CARD: "yellow_cards",
    Mark.RED_CARD: "red_cards",
    Mark.ESCALATED: "escalations",
    Mark.BAD_RATING: "bad_ratings",
    Mark.RECTIFICATION_ON_TIME: "rectifications_on_time",
    Mark.RECTIFICATION_LATE: "rectifications_late",
    Mark.ANSWER_REJECTED: "answers_rejected",
    Mark.CO_UNIT_LATE: "co_unit_late",
}
# How each counted mark is titled in reports (msgids), in report order.
MARK_LABELS: dict[str, str] = {
    "late_returns": N_("Late returns"),
    "returns_accepted": N_("Returns accepted"),
    "returns_rejected": N_("Returns rejected"),
    "extensions_requested": N_("Extensions requested"),
    "extensions_granted": N_("Extensions granted"),
    "yellow_cards": N_("Yellow cards"),
    "red_cards": N_("Red cards"),
    "escalations": N_("Escalations (督办)"),
    "bad_ratings": N_("Bad ratings (差评)"),
    "rectifications_on_time": N_("Rectifications on time"),
    "rectifications_late": N_("Rectifications late"),
    "answers_rejected": N_("Answers sent back (补办)"),
    "co_unit_late": N_("Co-unit parts late"),
}
# The event types that can make a mark: a case with none of them in the period has none.
MARKING_EVENTS = (
    EventType.UNIT_RETURNED,
    EventType.RETURN_REVIEWED,
    EventType.EXTENSION_REQUESTED,
    EventType.EXTENSION_DECIDED,
    EventType.EXTENSION_GRANTED,
    EventType.LEVEL_CROSSED,
    EventType.ESCALATED,
    EventType.CALLBACK,
    EventType.RATING,
    EventType.APPEAL_DECIDED,
    EventType.RECTIFICATION_REPORTED,
    EventType.ANSWER_REJECTED,
    EventType.CO_UNIT_OPINION,
)
# A unit is handed the case (first referral, or sent back to it by a 补办).
REFERRING_EVENTS = (EventType.REFERRED, EventType.REDO)


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    referrals: int
    fed_back: int
    on_time: int
    overdue: int  # fed back late in the month, or still pending past a deadline in the month
    average_hours: float | None  # working hours from referral to feedback
    returns: int
    callbacks: int
    satisfied: int  # every level but 差评 (基本满意 included)
    score: float | None  # mean on the five-level scale, 5 = very satisfied
    # From the timelines (domain.accountability); see ``penalty`` for how they weigh.
    late_returns: int = 0  # returned after the deadline: also counted in ``overdue``
    returns_accepted: int = 0
    returns_rejected: int = 0
    extensions_requested: int = 0
    extensions_granted: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    escalations: int = 0  # 督办
    bad_ratings: int = 0  # 差评, unless an appeal was upheld
    rectifications_on_time: int = 0
    rectifications_late: int = 0
    answers_rejected: int = 0  # 补办
    co_unit_parts: int = 0  # opinions given as a co-unit
    co_unit_late: int = 0  # of those, after the deadline: also counted in ``overdue``

    @property
    def penalty(self) -> int:
        """The bulletin's ranking score, worst first: 3 per overdue case (late feedback, still
        pending past the deadline, returned late, a co-unit's part late) and per 督办, 2 per red
        card, per return rejected by the window, per 差评 and per rectification late, 1 per
        yellow card, per other return, per answer sent back (补办) and per extension granted."""
        other_returns = self.returns - self.returns_rejected
        return (
            3 * (self.overdue + self.escalations)
            + 2
            * (self.red_cards + self.returns_rejected + self.bad_ratings + self.rectifications_late)
            + self.yellow_cards
            + other_returns
            + self.answers_rejected
            + self.extensions_granted
        )

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.fed_back if self.fed_back else None

    @property
    def satisfied_rate(self) -> float | None:
        return self.satisfied / self.callbacks if self.callbacks else None


@dataclass(frozen=True)
class UnitBulletin:
    month: date  # first day
    units: tuple[UnitFigures, ...]
    generated_at: datetime

    @property
    def totals(self) -> UnitFigures:
        counts = {name: sum(getattr(u, name) for u in self.units) for name in _SUMMED}
        return UnitFigures(
            _("Total"),
            average_hours=_weighted(self.units, "average_hours", "fed_back"),
            score=_weighted(self.units, "score", "callbacks"),
            **counts,
        )


# The figures a total adds up (the averages are weighted instead; co-unit parts are not summed).
_SUMMED = (
    "referrals",
    "fed_back",
    "on_time",
    "overdue",
    "returns",
    "callbacks",
    "satisfied",
    *MARK_FIELDS.values(),
)


def _weighted(units: Iterable[UnitFigures], value: str, weight: str) -> float | None:
    """The mean of ``value`` weighted by ``weight``, over the units that have a ``value``."""
    having = [u for u in units if getattr(u, value) is not None]
    total = sum(getattr(u, weight) for u in having)
    if not total:
        return None
    return float(sum(getattr(u, value) * getattr(u, weight) for u in having) / total)


def month_range(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=HALL_TZ)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def unit_bulletin(
    db: Database, working_time: WorkingTime, month: date, now: datetime
) -> UnitBulletin:
    """The month's figures per unit, ranked by ``UnitFigures.penalty``, worst first."""
    start, end = month_range(month)
    with db.read() as conn:
        referrals = event_queries.events_by_unit(conn, REFERRING_EVENTS, start, end)
        fed = review_queries.fed_back_rows(conn, start, end)
        late_pending = review_queries.late_by_lead_unit(
            conn, PENDING_FEEDBACK, start, min(end, now)
        )
        returned = returns_by_unit(conn, start, end)
        callbacks = event_queries.callbacks_by_lead_unit(conn, start, end)
        marks = marks_between(conn, start, end)
    per = _feedback_tallies(fed, callbacks, working_time)
    counted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for mark in marks:
        counted[mark.unit][MARK_FIELDS.get(mark.mark, "")] += 1
        if mark.mark is Mark.CO_UNIT_ON_TIME or mark.mark is Mark.CO_UNIT_LATE:
            counted[mark.unit]["co_unit_parts"] += 1
    keys = set(referrals) | set(per) | set(late_pending) | set(returned) | set(counted)
    units = [
        _unit_figures(
            key,
            per[key],
            counted[key],
            referrals.get(key, 0),
            late_pending.get(key, 0),
            returned.get(key, 0),
        )
        for key in keys
    ]
    units.sort(key=lambda u: (-u.penalty, -u.overdue, -u.returns, -u.referrals, u.unit))
    return UnitBulletin(start.date(), tuple(units), now)


def _feedback_tallies(
    fed: Iterable[Any], callbacks: Iterable[Any], working_time: WorkingTime
) -> defaultdict[str, dict[str, Any]]:
    """Per unit: feedback given (on time, late, working hours taken) and callbacks scored."""
    per: defaultdict[str, dict[str, Any]] = defaultdict(
        lambda: {"fed": 0, "on_time": 0, "late": 0, "hours": [], "cb": 0, "sat": 0, "score": 0}
    )
    for row in fed:
        unit = per[row.lead_unit or UNASSIGNED]
        unit["fed"] += 1
        if row.on_time:
            unit["on_time"] += 1
        else:
            unit["late"] += 1
        if row.referred_at is not None:
            spent = working_time.between(row.referred_at, row.fed_back_at)
            unit["hours"].append(spent.total_seconds() / 3600)
    for callback in callbacks:
        try:
            level = Satisfaction(callback.data.get("satisfaction"))
        except ValueError:
            continue
        unit = per[callback.lead_unit or UNASSIGNED]
        unit["cb"] += 1
        unit["score"] += SATISFACTION_SCORE[level]
        if level.counts_satisfied:
            unit["sat"] += 1
    return per


def _unit_figures(
    key: str,
    unit: dict[str, Any],
    own: dict[str, int],
    referrals: int,
    late_pending: int,
    returned: int,
) -> UnitFigures:
    hours = unit["hours"]
    extra = {name: own.get(name, 0) for name in (*MARK_FIELDS.values(), "co_unit_parts")}
    return UnitFigures(
        key or _("(no unit)"),
        referrals,
        unit["fed"],
        unit["on_time"],
        unit["late"] + late_pending + own.get("late_returns", 0) + own.get("co_unit_late", 0),
        sum(hours) / len(hours) if hours else None,
        returned,
        unit["cb"],
        unit["sat"],
        unit["score"] / unit["cb"] if unit["cb"] else None,
        **extra,
    )


def returns_by_unit(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    return event_queries.events_by_unit(conn, (EventType.UNIT_RETURNED,), start, end)


def marks_between(conn: Connection, start: datetime, end: datetime) -> list[UnitMark]:
    """The accountability marks made in [start, end), from the timelines of the cases that
    had a marking step then (folded whole: a mark depends on what came before)."""
    ids = event_queries.case_ids_with_events(conn, MARKING_EVENTS, start, end)
    marks: list[UnitMark] = []
    for offset in range(0, len(ids), 500):
        for events in event_queries.timelines(conn, ids[offset : offset + 500]).values():
            marks.extend(m for m in unit_marks(events) if start <= m.at < end)
    return marks
