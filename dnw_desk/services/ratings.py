"""The complainant's own rating (好差评): 一次一评 on the screen facing them at the counter,
一事一评 on the status page after the unit's feedback (docs/rules.md#accountability).

A rating is a ``rating`` event. At registration it rates the window's reception; after the
feedback it is the callback's rating given by the complainant themself, so a 差评 opens the
rectification (整改) exactly as a bad callback does.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnw_desk.domain.case import Event, RatingChannel, RatingStage, Satisfaction, fold
from dnw_desk.domain.case_state import CaseState, Status
from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.event_types import EventType
from dnw_desk.domain.roles import Actor
from dnw_desk.i18n import _
from dnw_desk.services.cases import Saved
from dnw_desk.services.handling import HandlingService
from dnw_desk.store import cases_repo, event_queries

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
    if state.window_rating is None:
        return RatingStage.REGISTRATION  # also for a matter not accepted: it was received
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


def _online_bad_rating_waiting(events: list[Event]) -> bool:
    """The latest step is a 差评 given on the status page with no rectification after it (one
    recorded at the desk opens its rectification in the same save)."""
    rated = [i for i, e in enumerate(events) if e.type in (EventType.RATING, EventType.CALLBACK)]
    if not rated:
        return False
    last = events[rated[-1]]
    if last.type is not EventType.RATING or last.data.get("channel") != RatingChannel.ONLINE:
        return False
    later = {e.type for e in events[rated[-1] + 1 :]}
    if later & {EventType.RECTIFICATION_OPENED, EventType.REDO}:
        return False
    state = fold(events)
    bad = state.satisfaction is not None and state.satisfaction.is_unsatisfied
    return bad and not state.rating_voided and not state.rectification_open


def open_online_rectifications(handling: HandlingService) -> list[str]:
    """Open the rectification (整改) of each 差评 pulled from the status page; returns the ids
    of the cases written. Run with the alert tick."""
    with handling.cases.db.read() as conn:
        candidates = event_queries.cases_with_online_ratings(conn, Status.CALLED_BACK.value)
        due = [
            case_id
            for case_id in candidates
            if _online_bad_rating_waiting(cases_repo.load_events(conn, case_id))
        ]
    if not due:
        return []
    now = handling.clock()
    data = handling.rectification_data(now)
    steps = [(case_id, EventType.RECTIFICATION_OPENED, dict(data), now) for case_id in due]
    return handling.cases.record_automatic(steps)
