"""What a case is at a moment: its status, the state its timeline folds to, and the value sets
its events use. The fold itself (which step may follow which) is ``domain.case``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from dnw_desk.domain.event_types import EventType
from dnw_desk.i18n import N_


class Status(StrEnum):
    REGISTERED = "registered"
    NOT_ACCEPTED = "not_accepted"
    REFERRED = "referred"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    OPINION_GIVEN = "opinion_given"
    FED_BACK = "fed_back"
    CALLED_BACK = "called_back"
    CLOSED = "closed"


STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: N_("Registered"),
    Status.NOT_ACCEPTED: N_("Not accepted"),
    Status.REFERRED: N_("Referred"),
    Status.ACCEPTED: N_("Accepted by unit"),
    Status.RETURNED: N_("Returned by unit"),
    Status.OPINION_GIVEN: N_("Opinion given"),
    Status.FED_BACK: N_("Fed back"),
    Status.CALLED_BACK: N_("Called back"),
    Status.CLOSED: N_("Closed"),
}

# Statuses in which the unit still owes its feedback: the countdown runs.
PENDING_FEEDBACK = frozenset({Status.REFERRED, Status.ACCEPTED, Status.OPINION_GIVEN})
OPEN_STATUSES = frozenset(set(Status) - {Status.NOT_ACCEPTED, Status.CLOSED})


class Satisfaction(StrEnum):
    """The national five-level scale used for callbacks (回访)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    UNSATISFIED = "unsatisfied"
    VERY_UNSATISFIED = "very_unsatisfied"

    @property
    def is_unsatisfied(self) -> bool:
        """差评: only the two lowest levels."""
        return self in (Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED)

    @property
    def counts_satisfied(self) -> bool:
        """The satisfied share: everything that is not 差评 (基本满意 included)."""
        return not self.is_unsatisfied


class RatingStage(StrEnum):
    """When the complainant rates (一次一评 at the counter, 一事一评 after the feedback)."""

    REGISTRATION = "registration"  # the window's reception, right after the save
    FEEDBACK = "feedback"  # the handling, after the unit's feedback: takes the callback's place


class RatingChannel(StrEnum):
    DEVICE = "rating_device"  # 评价器: the screen facing the citizen at the counter
    ONLINE = "status_page"  # 线上评价: the status page


RATING_CHANNEL_LABELS: dict[RatingChannel, str] = {
    RatingChannel.DEVICE: N_("Rating device"),
    RatingChannel.ONLINE: N_("Online rating"),
}


SATISFACTION_LABELS: dict[Satisfaction, str] = {
    Satisfaction.VERY_SATISFIED: N_("Very satisfied"),
    Satisfaction.SATISFIED: N_("Satisfied"),
    Satisfaction.NEUTRAL: N_("Neutral"),
    Satisfaction.UNSATISFIED: N_("Unsatisfied"),
    Satisfaction.VERY_UNSATISFIED: N_("Very unsatisfied"),
}


class OpinionKind(StrEnum):
    RESOLVED_ON_SPOT = "resolved_on_spot"
    HANDLED = "handled"
    MISSING_MATERIALS_NOTICE = "missing_materials_notice"
    CANNOT_HANDLE = "cannot_handle"
    OTHER = "other"


OPINION_LABELS: dict[OpinionKind, str] = {
    OpinionKind.RESOLVED_ON_SPOT: N_("Resolved on the spot"),
    OpinionKind.HANDLED: N_("Handled"),
    OpinionKind.MISSING_MATERIALS_NOTICE: N_("One-time notice of missing materials"),
    OpinionKind.CANNOT_HANDLE: N_("Cannot be handled"),
    OpinionKind.OTHER: N_("Other"),
}


@dataclass(frozen=True)
class Event:
    event_id: str
    case_id: str
    type: EventType
    at: datetime
    actor: str
    data: Mapping[str, Any] = field(default_factory=dict)


class Decision(StrEnum):
    """A window's or shift lead's answer to a unit's return, extension request or appeal."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


DECISION_LABELS: dict[Decision, str] = {
    Decision.ACCEPTED: N_("Accept"),
    Decision.REJECTED: N_("Reject"),
}

# The alert levels a ``level_crossed`` event records (the names of domain.alerts.AlertLevel).
CARD_LEVELS = ("reminder", "warning", "overdue", "escalated")
# ``level_crossed`` with ``track: rectification`` is a card on a rectification's own ladder.
RECTIFICATION_TRACK = "rectification"


@dataclass(frozen=True)
class HeldReturn:
    """A unit's return waiting for the window's review, with what a rejection restores."""

    unit: str
    at: datetime
    deadline: datetime | None
    deadline_provisional: bool
    clock_started_at: datetime | None
    accepted: bool  # the unit had signed for the case
    reviewed: bool = False  # accepted by the window: the case is to be referred again


@dataclass(frozen=True)
class CaseState:
    """What the timeline says about a case at its last event."""

    status: Status
    registered_at: datetime
    lead_unit: str | None = None
    clock_started_at: datetime | None = None
    deadline: datetime | None = None
    deadline_provisional: bool = False
    accepted: bool = False
    opinion_at: datetime | None = None
    complainant_informed_at: datetime | None = None
    window_informed_at: datetime | None = None
    escalated: bool = False
    satisfaction: Satisfaction | None = None
    returns: tuple[str, ...] = ()
    redo_count: int = 0
    closed_at: datetime | None = None
    receipt_copies: int = 0
    callback_consent: bool = True
    co_units: tuple[str, ...] = ()
    co_opinions: tuple[str, ...] = ()  # co-units that gave their part on the current clock
    held_return: HeldReturn | None = None
    late_returns: tuple[str, ...] = ()  # units that returned the case after their deadline
    extension_request: datetime | None = None  # the deadline a unit asked for, undecided
    deadline_untold: bool = False  # extended, and the complainant not yet told
    callback_skipped: bool = False
    rectification_unit: str | None = None
    rectification_opened_at: datetime | None = None
    rectification_deadline: datetime | None = None
    rectification_reported_at: datetime | None = None
    rectification_called_back: bool = False
    appeal_pending: bool = False
    rating_voided: bool = False  # an appeal was upheld: the bad rating does not count
    window_rating: Satisfaction | None = None  # the citizen's rating at registration
    answer_rejections: int = 0
    cards: frozenset[str] = frozenset()  # alert levels recorded on the current clock
    # (a rectification's own ladder as "rectification:<level>", on its own deadline)

    @property
    def fed_back_at(self) -> datetime | None:
        """When the last of opinion and both "informed" events was recorded."""
        parts = (self.opinion_at, self.complainant_informed_at, self.window_informed_at)
        if any(part is None for part in parts):
            return None
        return max(part for part in parts if part is not None)

    @property
    def on_time(self) -> bool | None:
        """Feedback on time: all three recorded at or before the deadline. None while pending."""
        fed_back = self.fed_back_at
        if fed_back is None or self.deadline is None:
            return None
        return fed_back <= self.deadline

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaiting_feedback(self) -> bool:
        return self.status in PENDING_FEEDBACK

    @property
    def rectification_open(self) -> bool:
        """A 差评's rectification not yet ended by its report and a new callback."""
        return self.rectification_unit is not None and not self.rectification_called_back

    @property
    def rectification_running(self) -> bool:
        """A rectification whose report is still due: its own alert ladder runs."""
        return self.rectification_open and self.rectification_reported_at is None

    @property
    def return_to_review(self) -> bool:
        return self.held_return is not None and not self.held_return.reviewed

    @property
    def window_tasks(self) -> tuple[str, ...]:
        """What the window owes on this case now (the queue's "waiting on the window")."""
        if not self.is_open:
            return ()
        tasks = []
        if self.return_to_review:
            tasks.append("return_review")
        if self.extension_request is not None:
            tasks.append("extension_decision")
        if self.status is Status.OPINION_GIVEN and self.complainant_informed_at is None:
            tasks.append("answer_check")
        if self.deadline_untold:
            tasks.append("tell_new_deadline")
        if self.appeal_pending:
            tasks.append("appeal_decision")
        return tuple(tasks)


WINDOW_TASK_LABELS: dict[str, str] = {
    "return_review": N_("A return to review"),
    "extension_decision": N_("An extension request to decide"),
    "answer_check": N_("An answer to judge"),
    "tell_new_deadline": N_("Tell the complainant the new deadline"),
    "appeal_decision": N_("An appeal to decide"),
}
