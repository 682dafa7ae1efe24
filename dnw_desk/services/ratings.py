"""The complainant's own rating (好差评): 一次一评 on the screen facing them at the counter,
一事一评 on the status page after the unit's feedback (docs/rules.md#accountability).

A rating is a ``rating`` event. At registration it rates the window's reception; after the
feedback it is the callback's rating given by the complainant themself, so a 差评 opens the
rectification (整改) exactly as a bad callback does.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnw_desk.domain.case import RatingChannel, RatingStage, Satisfaction, fold
from dnw_desk.domain.case_state import CaseState, Status
from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.event_types import EventType
from dnw_desk.domain.roles import Actor
from dnw_desk.i18n import _
from dnw_desk.services.cases import Saved
from dnw_desk.services.handling import HandlingService

REASON_MAX = 200  # characters of the optional reason given with a 差评


@dataclass(frozen=True)
class Rating:
    satisfaction: Satisfaction
    stage: RatingStage
    channel: RatingChannel
    reason: str = ""

    def data(self) -> dict[str, str]:
        data = {
            "satisfaction": self.satisfaction.value,
            "stage": self.stage.value,
            "channel": self.channel.value,
        }
        reason = self.reason.strip()[:REASON_MAX]
        if reason and self.satisfaction.is_unsatisfied:
            data["reason"] = reason  # asked for only with the two lowest levels
        return data


def open_stage(state: CaseState) -> RatingStage | None:
    """The stage a rating would rate now, or None when none is due: the reception until it is
    rated, then the handling once the unit's feedback reached both parties."""
    if state.status is Status.FED_BACK:
        return RatingStage.FEEDBACK
    if state.window_rating is None and state.status not in (Status.CLOSED, Status.NOT_ACCEPTED):
        return RatingStage.REGISTRATION
    return None


def record_rating(handling: HandlingService, case_id: str, rating: Rating, actor: Actor) -> Saved:
    """Append the rating (and, for a 差评 of the handling, its rectification) in one go."""
    events = handling.cases.events(case_id)
    if not events:
        raise DomainError(_("No case with this id."))
    fold(events)  # a damaged timeline refuses before anything is written
    data = rating.data()
    now = handling.clock()
    then = handling.follow_ups(EventType.RATING, data, now)
    return handling.cases.record(case_id, EventType.RATING, actor, data, then=then)
