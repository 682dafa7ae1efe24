"""The 督办单 (supervision notice) of an escalated case: what the unit is chased for, from the
timeline. No complainant data: the notice goes to the unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dnw_desk.domain.case import Event, EventType, fold
from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.working_time import WorkingTime
from dnw_desk.i18n import _
from dnw_desk.services.cases import SYSTEM_ACTOR
from dnw_desk.services.reference_data import CategoryNames
from dnw_desk.store import cases_repo
from dnw_desk.store.database import Database


@dataclass(frozen=True)
class SupervisionSheet:
    number: str
    service_item: str
    category: str
    unit: str
    referred_at: datetime | None
    deadline: datetime | None
    escalated_at: datetime
    automatic: bool  # the second overdue working day, not a person's decision
    escalated_to: str
    overdue_by: timedelta  # working time past the deadline, at printing
    returns: int
    printed_at: datetime


def _escalation(events: list[Event]) -> Event | None:
    """The latest escalation on the current clock: an automatic card or a person's step."""
    for event in reversed(events):
        if event.type is EventType.ESCALATED:
            return event
        if event.type is EventType.LEVEL_CROSSED and event.data.get("level") == "escalated":
            return event
        if event.type in (EventType.REFERRED, EventType.REDO):
            return None
    return None


def supervision_sheet(
    db: Database,
    case_id: str,
    now: datetime,
    working_time: WorkingTime,
    categories: CategoryNames | None = None,
) -> SupervisionSheet:
    with db.read() as conn:
        row = cases_repo.get_case(conn, case_id)
        events = cases_repo.load_events(conn, case_id)
    if row is None or not events:
        raise DomainError(_("No case with this id."))
    state = fold(events)
    escalation = _escalation(events)
    if not state.escalated or escalation is None:
        raise DomainError(_("The case is not escalated (督办): there is no notice to print."))
    deadline = state.deadline
    overdue = (
        working_time.between(deadline, now)
        if deadline is not None and now > deadline
        else timedelta(0)
    )
    return SupervisionSheet(
        number=row.number,
        service_item=row.service_item,
        category=(categories or CategoryNames())[row.category],
        unit=state.lead_unit or "",
        referred_at=state.clock_started_at,
        deadline=deadline,
        escalated_at=escalation.at,
        automatic=escalation.actor == SYSTEM_ACTOR,
        escalated_to=str(escalation.data.get("to") or ""),
        overdue_by=overdue,
        returns=len(state.returns),
        printed_at=now,
    )
