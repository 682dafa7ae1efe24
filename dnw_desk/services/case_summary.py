"""One case as support staff read it over the phone: its derived state and whole timeline,
with the complainant masked as on every screen (``dnw-desk case show``).

Built from the case detail's own view (services.handling) and timeline wording
(services.timeline); personal data is masked before anything leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dnw_desk.domain.case import STATUS_LABELS, Status
from dnw_desk.domain.numbering import parse_case_number
from dnw_desk.i18n import _
from dnw_desk.services.alerts import alerts_for
from dnw_desk.services.cases import CaseNotFound
from dnw_desk.services.handling import MASKED_FIELD_LABELS, handling_for
from dnw_desk.services.queue import countdown_of, format_countdown
from dnw_desk.services.reference_data import category_names
from dnw_desk.services.timeline import step_label, summarise
from dnw_desk.store import cases_repo

if TYPE_CHECKING:
    from dnw_desk.services.desk import Desk


@dataclass(frozen=True)
class Step:
    at: datetime
    step: str
    by: str
    details: str


@dataclass(frozen=True)
class CaseSummary:
    number: str
    registered_at: datetime
    clerk_no: str
    category: str
    service_item: str
    unit: str
    status: str
    deadline: datetime | None
    deadline_provisional: bool
    time_left: str
    alert: str
    on_time: bool | None
    returns: int
    closed_at: datetime | None
    complainant: tuple[tuple[str, str], ...]  # (label, masked value)
    timeline: tuple[Step, ...]


def case_summary(desk: Desk, number_text: str) -> CaseSummary:
    """The case with this receipt number (typed as people type it). Raises ``CaseNumberError``
    for a malformed number (check letter included) and ``CaseNotFound`` for an unknown one."""
    number = str(parse_case_number(number_text))
    with desk.db.read() as conn:
        row = cases_repo.get_case_by_number(conn, number)
    if row is None:
        raise CaseNotFound(
            _("There is no case {number} in this data directory.").format(number=number)
        )
    view = handling_for(desk).view(row.id)
    state = view.state
    alerts = alerts_for(desk)
    countdown = countdown_of(row, desk.clock(), desk.deadlines.working_time, alerts.level_of)
    return CaseSummary(
        number=row.number,
        registered_at=row.registered_at,
        clerk_no=row.clerk_no,
        category=category_names(desk.settings.categories)[row.category],
        service_item=row.service_item,
        unit=row.lead_unit or "",
        status=_(STATUS_LABELS[Status(row.status)]),
        deadline=row.deadline,
        deadline_provisional=row.deadline_provisional,
        time_left=format_countdown(countdown),
        alert=_(countdown.level.label) if countdown else "",
        on_time=state.on_time,
        returns=len(state.returns),
        closed_at=state.closed_at,
        complainant=tuple(
            (_(MASKED_FIELD_LABELS[field]), value) for field, value in view.masked.items() if value
        ),
        timeline=tuple(
            Step(
                event.at,
                step_label(event),
                view.actors.get(event.actor, event.actor),
                summarise(event),
            )
            for event in view.events
        ),
    )
