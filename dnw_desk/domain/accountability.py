"""What a case timeline counts against (or for) each unit, derived from the events alone.

``unit_marks`` replays a timeline and says, step by step, which unit earned what: a return (and
whether it came after the deadline, which makes it overdue for the returning unit), the window's
verdict on it, extension requests and grants, the alert cards recorded on the timeline (yellow,
red, 督办), a bad rating (差评) unless an appeal was upheld, a rectification reported on time
or late, an answer sent back, a co-unit's part on time or late. The day ledger and the monthly
bulletin count these marks; nothing here reads a cached column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dnw_desk.domain.case import (
    RECTIFICATION_TRACK,
    CaseState,
    Decision,
    Event,
    EventType,
    RatingStage,
    Satisfaction,
    apply_event,
)


class Mark(StrEnum):
    RETURN = "return"  # every return, accepted or rejected, counts against its unit
    LATE_RETURN = "late_return"  # a return after the deadline: overdue for the returning unit
    RETURN_ACCEPTED = "return_accepted"
    RETURN_REJECTED = "return_rejected"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_GRANTED = "extension_granted"  # a request approved, or a shift lead's own grant
    YELLOW_CARD = "yellow_card"
    RED_CARD = "red_card"
    ESCALATED = "escalated"  # 督办, automatic or by hand, once per clock
    BAD_RATING = "bad_rating"
    RECTIFICATION_ON_TIME = "rectification_on_time"
    RECTIFICATION_LATE = "rectification_late"
    ANSWER_REJECTED = "answer_rejected"
    CO_UNIT_ON_TIME = "co_unit_on_time"
    CO_UNIT_LATE = "co_unit_late"


_CARDS = {"warning": Mark.YELLOW_CARD, "overdue": Mark.RED_CARD, "escalated": Mark.ESCALATED}


@dataclass(frozen=True)
class UnitMark:
    unit: str
    mark: Mark
    at: datetime
    case_id: str


def unit_marks(events: Iterable[Event]) -> list[UnitMark]:
    """The marks of one case's timeline, in timeline order. The timeline must fold."""
    marks: list[UnitMark] = []
    state: CaseState | None = None
    bad_rating: int | None = None  # index of the latest bad rating, voided by an upheld appeal
    for event in events:
        before = state
        state = apply_event(state, event)
        if before is None:
            continue
        kind = event.type
        if kind is EventType.APPEAL_DECIDED:
            if state.rating_voided and bad_rating is not None:
                marks.pop(bad_rating)
                bad_rating = None
            continue
        if _rates_handling(event) and _is_bad(state.satisfaction):
            bad_rating = len(marks)
        rule = _MARK_RULES.get(kind)
        for unit, mark in rule(event, before, state) if rule else ():
            if unit:
                marks.append(UnitMark(unit, mark, event.at, event.case_id))
    return marks


# Who earns which mark by one event: (unit, mark) pairs; a pair without a unit is dropped.
Marks = list[tuple[str | None, Mark]]
MarkRule = Callable[[Event, CaseState, CaseState], Marks]  # (event, state before, state after)


def _returned(event: Event, before: CaseState, state: CaseState) -> Marks:
    if state.held_return is None:
        return []
    unit = state.held_return.unit
    late = before.deadline is not None and event.at > before.deadline
    return [(unit, Mark.RETURN), (unit, Mark.LATE_RETURN)] if late else [(unit, Mark.RETURN)]


def _return_reviewed(event: Event, before: CaseState, state: CaseState) -> Marks:
    if before.held_return is None:
        return []
    accepted = Decision(str(event.data.get("decision"))) is Decision.ACCEPTED
    return [(before.held_return.unit, Mark.RETURN_ACCEPTED if accepted else Mark.RETURN_REJECTED)]


def _extension_granted(event: Event, before: CaseState, state: CaseState) -> Marks:
    if event.type is EventType.EXTENSION_DECIDED and state.deadline == before.deadline:
        return []  # refused
    return [(before.lead_unit, Mark.EXTENSION_GRANTED)]


def _level_crossed(event: Event, before: CaseState, state: CaseState) -> Marks:
    card = _CARDS.get(str(event.data.get("level")))
    if card is None:
        return []
    if event.data.get("track") == RECTIFICATION_TRACK:
        # A card on the rectification's own ladder is the rectification unit's.
        return [(before.rectification_unit, card)]
    if card is Mark.ESCALATED and before.escalated:
        return []  # escalated by hand already on this clock
    return [(str(event.data.get("unit") or before.lead_unit or ""), card)]


def _escalated(event: Event, before: CaseState, state: CaseState) -> Marks:
    return [] if before.escalated else [(before.lead_unit, Mark.ESCALATED)]


def _rates_handling(event: Event) -> bool:
    """A callback, or the complainant's own rating after the feedback (which takes its place)."""
    if event.type is EventType.RATING:
        return event.data.get("stage") == RatingStage.FEEDBACK.value
    return event.type is EventType.CALLBACK


def _callback(event: Event, before: CaseState, state: CaseState) -> Marks:
    if not _rates_handling(event):
        return []  # a rating of the window's reception marks no unit
    return [(before.lead_unit, Mark.BAD_RATING)] if _is_bad(state.satisfaction) else []


def _rectification_reported(event: Event, before: CaseState, state: CaseState) -> Marks:
    due = before.rectification_deadline
    late = due is not None and event.at > due
    mark = Mark.RECTIFICATION_LATE if late else Mark.RECTIFICATION_ON_TIME
    return [(before.rectification_unit, mark)]


def _co_unit_opinion(event: Event, before: CaseState, state: CaseState) -> Marks:
    unit = str(event.data.get("unit") or "")
    if unit in before.co_opinions:
        return []
    late = before.deadline is not None and event.at > before.deadline
    return [(unit, Mark.CO_UNIT_LATE if late else Mark.CO_UNIT_ON_TIME)]


def _lead_unit(mark: Mark) -> MarkRule:
    return lambda event, before, state: [(before.lead_unit, mark)]


_MARK_RULES: dict[EventType, MarkRule] = {
    EventType.UNIT_RETURNED: _returned,
    EventType.RETURN_REVIEWED: _return_reviewed,
    EventType.EXTENSION_REQUESTED: _lead_unit(Mark.EXTENSION_REQUESTED),
    EventType.EXTENSION_GRANTED: _extension_granted,
    EventType.EXTENSION_DECIDED: _extension_granted,
    EventType.LEVEL_CROSSED: _level_crossed,
    EventType.ESCALATED: _escalated,
    EventType.CALLBACK: _callback,
    EventType.RATING: _callback,
    EventType.RECTIFICATION_REPORTED: _rectification_reported,
    EventType.ANSWER_REJECTED: _lead_unit(Mark.ANSWER_REJECTED),
    EventType.CO_UNIT_OPINION: _co_unit_opinion,
}


def _is_bad(satisfaction: Satisfaction | None) -> bool:
    return satisfaction is not None and satisfaction.is_unsatisfied
