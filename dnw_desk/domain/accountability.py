"""What a case timeline counts against (or for) each unit, derived from the events alone.

``unit_marks`` replays a timeline and says, step by step, which unit earned what: a return (and
whether it came after the deadline, which makes it overdue for the returning unit), the window's
verdict on it, extension requests and grants, the alert cards recorded on the timeline (yellow,
red, 督办), a bad rating (差评) unless an appeal was upheld, a rectification reported on time
or late, an answer sent back, a co-unit's part on time or late. The day ledger and the monthly
bulletin count these marks; nothing here reads a cached column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dnw_desk.domain.case import (
    RECTIFICATION_TRACK,
    CaseState,
    Decision,
    Event,
    EventType,
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

        def add(unit: str | None, mark: Mark, event: Event = event) -> None:
            if unit:
                marks.append(UnitMark(unit, mark, event.at, event.case_id))

        kind = event.type
        if kind is EventType.UNIT_RETURNED and state.held_return is not None:
            unit = state.held_return.unit
            add(unit, Mark.RETURN)
            if before.deadline is not None and event.at > before.deadline:
                add(unit, Mark.LATE_RETURN)
        elif kind is EventType.RETURN_REVIEWED and before.held_return is not None:
            accepted = Decision(str(event.data.get("decision"))) is Decision.ACCEPTED
            add(
                before.held_return.unit,
                Mark.RETURN_ACCEPTED if accepted else Mark.RETURN_REJECTED,
            )
        elif kind is EventType.EXTENSION_REQUESTED:
            add(before.lead_unit, Mark.EXTENSION_REQUESTED)
        elif kind is EventType.EXTENSION_GRANTED or (
            kind is EventType.EXTENSION_DECIDED and state.deadline != before.deadline
        ):
            add(before.lead_unit, Mark.EXTENSION_GRANTED)
        elif kind is EventType.LEVEL_CROSSED:
            card = _CARDS.get(str(event.data.get("level")))
            if event.data.get("track") == RECTIFICATION_TRACK:
                # A card on the rectification's own ladder is the rectification unit's.
                if card is not None:
                    add(before.rectification_unit, card)
                continue
            if card is Mark.ESCALATED and before.escalated:
                card = None  # escalated by hand already on this clock
            if card is not None:
                add(str(event.data.get("unit") or before.lead_unit or ""), card)
        elif kind is EventType.ESCALATED and not before.escalated:
            add(before.lead_unit, Mark.ESCALATED)
        elif kind is EventType.CALLBACK and _is_bad(state.satisfaction):
            bad_rating = len(marks)
            add(before.lead_unit, Mark.BAD_RATING)
        elif kind is EventType.APPEAL_DECIDED and state.rating_voided and bad_rating is not None:
            marks.pop(bad_rating)
            bad_rating = None
        elif kind is EventType.RECTIFICATION_REPORTED:
            due = before.rectification_deadline
            late = due is not None and event.at > due
            add(
                before.rectification_unit,
                Mark.RECTIFICATION_LATE if late else Mark.RECTIFICATION_ON_TIME,
            )
        elif kind is EventType.ANSWER_REJECTED:
            add(before.lead_unit, Mark.ANSWER_REJECTED)
        elif kind is EventType.CO_UNIT_OPINION:
            unit = str(event.data.get("unit") or "")
            if unit not in before.co_opinions:
                late = before.deadline is not None and event.at > before.deadline
                add(unit, Mark.CO_UNIT_LATE if late else Mark.CO_UNIT_ON_TIME)
    return marks


def _is_bad(satisfaction: Satisfaction | None) -> bool:
    return satisfaction is not None and satisfaction.is_unsatisfied
