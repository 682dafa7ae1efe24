"""The monthly per-unit figures (责任单位月度通报): each unit's referrals, feedback on time,
overdue cases, returns, callbacks and the accountability marks its timelines earned
(domain.accountability), ranked by a documented penalty score, worst first.

The desk gathers the inputs with SQL over its own tables; the central server folds the
timelines it holds (``bulletin_from_timelines``). Both end in ``assemble_bulletin``, so the same
cases give the same figures on either side.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.accountability import Mark, UnitMark, unit_marks
from dnw_desk.domain.case import (
    PENDING_FEEDBACK,
    Event,
    EventType,
    RatingStage,
    Satisfaction,
    fold,
)
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import N_, _

UNASSIGNED = ""  # the unit key of cases with no unit (registered, returned)

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


def percent(value: float | None) -> str:
    """A rate as reports and pages print it."""
    return "—" if value is None else f"{value * 100:.1f}%"


def month_range(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=HALL_TZ)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


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


@dataclass(frozen=True)
class FedBack:
    """A case fed back in the period, as the figures need it."""

    lead_unit: str | None
    referred_at: datetime | None
    fed_back_at: datetime
    on_time: bool | None


@dataclass(frozen=True)
class Callback:
    lead_unit: str | None
    data: Mapping[str, Any]


def assemble_bulletin(
    start: datetime,
    now: datetime,
    working_time: WorkingTime,
    *,
    referrals: Mapping[str, int],
    fed: Iterable[Any],
    late_pending: Mapping[str, int],
    returned: Mapping[str, int],
    callbacks: Iterable[Any],
    marks: Iterable[UnitMark],
) -> UnitBulletin:
    """The bulletin from its inputs, ranked by ``UnitFigures.penalty``, worst first."""
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


def rates_the_handling(event: Event) -> bool:
    """A callback, or the complainant's own rating after the feedback, which takes its place (a
    rating of the window's reception at registration rates no unit)."""
    if event.type is EventType.CALLBACK:
        return True
    return event.type is EventType.RATING and event.data.get("stage") == RatingStage.FEEDBACK.value


class _Inputs:
    """The bulletin's inputs, tallied one timeline at a time."""

    def __init__(self, start: datetime, end: datetime, now: datetime) -> None:
        self.start, self.end, self.now = start, end, now
        self.referrals: Counter[str] = Counter()
        self.returned: Counter[str] = Counter()
        self.late_pending: Counter[str] = Counter()
        self.fed: list[FedBack] = []
        self.callbacks: list[Callback] = []
        self.marks: list[UnitMark] = []

    def _falls_due(self, deadline: datetime | None) -> bool:
        """A deadline that passed in the month (up to now)."""
        return deadline is not None and self.start <= deadline < min(self.end, self.now)

    def add(self, events: Sequence[Event]) -> None:
        state = fold(events)
        in_month = [e for e in events if self.start <= e.at < self.end]
        for event in in_month:
            unit = str(event.data.get("unit") or UNASSIGNED)
            if event.type in REFERRING_EVENTS:
                self.referrals[unit] += 1
            elif event.type is EventType.UNIT_RETURNED:
                self.returned[unit] += 1
            elif rates_the_handling(event):
                self.callbacks.append(Callback(state.lead_unit, event.data))
        fed_back_at = state.fed_back_at
        if fed_back_at is not None and self.start <= fed_back_at < self.end:
            self.fed.append(
                FedBack(state.lead_unit, state.clock_started_at, fed_back_at, state.on_time)
            )
        if state.status in PENDING_FEEDBACK and self._falls_due(state.deadline):
            self.late_pending[state.lead_unit or UNASSIGNED] += 1
        if any(event.type in MARKING_EVENTS for event in in_month):
            self.marks.extend(m for m in unit_marks(events) if self.start <= m.at < self.end)


def bulletin_from_timelines(
    timelines: Iterable[Sequence[Event]], month: date, now: datetime, working_time: WorkingTime
) -> UnitBulletin:
    """The month's figures from whole case timelines: every case with an event in the month or
    a pending deadline in it must be among them (others add nothing)."""
    start, end = month_range(month)
    inputs = _Inputs(start, end, now)
    for events in timelines:
        if events:
            inputs.add(events)
    return assemble_bulletin(
        start,
        now,
        working_time,
        referrals=inputs.referrals,
        fed=inputs.fed,
        late_pending=inputs.late_pending,
        returned=inputs.returned,
        callbacks=inputs.callbacks,
        marks=inputs.marks,
    )
