"""The monthly per-unit bulletin (责任单位月度通报): each unit's referrals, feedback on time,
overdue cases, returns, callbacks and the accountability marks its timelines earned
(domain.accountability), ranked by a documented penalty score, worst first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.accountability import Mark, UnitMark, unit_marks
from dnw_desk.domain.case import PENDING_FEEDBACK, Event, EventType, Satisfaction
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_, _
from dnw_desk.store.database import Database
from dnw_desk.store.tables import case_events, cases

PENDING_VALUES = sorted(status.value for status in PENDING_FEEDBACK)
SATISFACTION_SCORE = {
    Satisfaction.VERY_SATISFIED: 5,
    Satisfaction.SATISFIED: 4,
    Satisfaction.NEUTRAL: 3,
    Satisfaction.UNSATISFIED: 2,
    Satisfaction.VERY_UNSATISFIED: 1,
}
UNASSIGNED = ""  # the unit key of cases with no unit (registered, returned)
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
MARKING_EVENTS = sorted(
    kind.value
    for kind in (
        EventType.UNIT_RETURNED,
        EventType.RETURN_REVIEWED,
        EventType.EXTENSION_REQUESTED,
        EventType.EXTENSION_DECIDED,
        EventType.EXTENSION_GRANTED,
        EventType.LEVEL_CROSSED,
        EventType.ESCALATED,
        EventType.CALLBACK,
        EventType.APPEAL_DECIDED,
        EventType.RECTIFICATION_REPORTED,
        EventType.ANSWER_REJECTED,
        EventType.CO_UNIT_OPINION,
    )
)


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
        scored = [u for u in self.units if u.score is not None]
        callbacks = sum(u.callbacks for u in scored)
        timed = [u for u in self.units if u.average_hours is not None]
        fed = sum(u.fed_back for u in timed)
        marks = {name: sum(getattr(u, name) for u in self.units) for name in MARK_FIELDS.values()}
        return UnitFigures(
            _("Total"),
            sum(u.referrals for u in self.units),
            sum(u.fed_back for u in self.units),
            sum(u.on_time for u in self.units),
            sum(u.overdue for u in self.units),
            sum((u.average_hours or 0) * u.fed_back for u in timed) / fed if fed else None,
            sum(u.returns for u in self.units),
            sum(u.callbacks for u in self.units),
            sum(u.satisfied for u in self.units),
            sum((u.score or 0) * u.callbacks for u in scored) / callbacks if callbacks else None,
            **marks,
        )


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
        referrals = grouped(
            conn,
            select(event_unit(), func.count())
            .where(
                case_events.c.type.in_(["referred", "redo"]),
                case_events.c.at >= start,
                case_events.c.at < end,
            )
            .group_by(event_unit()),
        )
        fed = conn.execute(
            select(
                cases.c.lead_unit, cases.c.referred_at, cases.c.fed_back_at, cases.c.on_time
            ).where(cases.c.fed_back_at >= start, cases.c.fed_back_at < end)
        ).all()
        late_pending = grouped(
            conn,
            select(cases.c.lead_unit, func.count())
            .where(
                cases.c.status.in_(PENDING_VALUES),
                cases.c.deadline >= start,
                cases.c.deadline < min(end, now),
            )
            .group_by(cases.c.lead_unit),
        )
        returned = returns_by_unit(conn, start, end)
        callbacks = conn.execute(
            select(cases.c.lead_unit, case_events.c.data)
            .join(cases, cases.c.id == case_events.c.case_id)
            .where(
                case_events.c.type == "callback",
                case_events.c.at >= start,
                case_events.c.at < end,
            )
        ).all()
        marks = marks_between(conn, start, end)
    per: dict[str, dict[str, Any]] = defaultdict(
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
    counted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for mark in marks:
        counted[mark.unit][MARK_FIELDS.get(mark.mark, "")] += 1
        if mark.mark is Mark.CO_UNIT_ON_TIME or mark.mark is Mark.CO_UNIT_LATE:
            counted[mark.unit]["co_unit_parts"] += 1
    keys = set(referrals) | set(per) | set(late_pending) | set(returned) | set(counted)
    units = []
    for key in keys:
        unit = per[key]
        hours = unit["hours"]
        own = counted[key]
        extra = {name: own.get(name, 0) for name in (*MARK_FIELDS.values(), "co_unit_parts")}
        units.append(
            UnitFigures(
                key or _("(no unit)"),
                referrals.get(key, 0),
                unit["fed"],
                unit["on_time"],
                unit["late"]
                + late_pending.get(key, 0)
                + own.get("late_returns", 0)
                + own.get("co_unit_late", 0),
                sum(hours) / len(hours) if hours else None,
                returned.get(key, 0),
                unit["cb"],
                unit["sat"],
                unit["score"] / unit["cb"] if unit["cb"] else None,
                **extra,
            )
        )
    units.sort(key=lambda u: (-u.penalty, -u.overdue, -u.returns, -u.referrals, u.unit))
    return UnitBulletin(start.date(), tuple(units), now)


# --- queries ---------------------------------------------------------------------------------


def event_unit() -> Any:
    return func.json_extract(case_events.c.data, "$.unit")


def grouped(conn: Connection, query: Any) -> dict[str, int]:
    """``SELECT key, count(*) … GROUP BY key`` as a dict; a missing key is UNASSIGNED."""
    counts: dict[str, int] = defaultdict(int)
    for key, count in conn.execute(query):
        counts[key or UNASSIGNED] += int(count)
    return dict(counts)


def returns_by_unit(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    return grouped(
        conn,
        select(event_unit(), func.count())
        .where(
            case_events.c.type == "unit_returned",
            case_events.c.at >= start,
            case_events.c.at < end,
        )
        .group_by(event_unit()),
    )


def marks_between(conn: Connection, start: datetime, end: datetime) -> list[UnitMark]:
    """The accountability marks made in [start, end), from the timelines of the cases that
    had a marking step then (folded whole: a mark depends on what came before)."""
    ids = list(
        conn.execute(
            select(case_events.c.case_id)
            .where(
                case_events.c.type.in_(MARKING_EVENTS),
                case_events.c.at >= start,
                case_events.c.at < end,
            )
            .distinct()
        ).scalars()
    )
    marks: list[UnitMark] = []
    for offset in range(0, len(ids), 500):
        timelines: dict[str, list[Event]] = defaultdict(list)
        query = (
            select(case_events)
            .where(case_events.c.case_id.in_(ids[offset : offset + 500]))
            .order_by(case_events.c.case_id, case_events.c.seq)
        )
        for row in conn.execute(query):
            timelines[row.case_id].append(
                Event(row.id, row.case_id, EventType(row.type), row.at, row.actor, row.data)
            )
        for events in timelines.values():
            marks.extend(m for m in unit_marks(events) if start <= m.at < end)
    return marks
