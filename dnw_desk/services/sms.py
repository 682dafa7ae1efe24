"""Text messages to the complainant, sent by the desk (docs/rules.md#text-messages).

Two steps, both run by the background sender (``dnw_desk.sms.worker``), never the GUI thread:

- ``plan_round`` reads the events recorded since its cursor — the desk's own and those pulled
  from the server — and plans the messages they cause (``domain.sms.plan``) into the outbox, once
  per step and kind.
- ``send_round`` sends what is due: the attempt is written before the request leaves, the
  result after it, together with its ``sms_sent`` or ``sms_failed`` event on the timeline. A
  failed try is retried with exponential backoff; a permanent refusal, or too many tries, gives
  up, and either way the shift lead sees the failures (``failing_messages``).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from dnw_desk.clock import Clock, system_clock
from dnw_desk.domain.case import CaseState, Event, EventType, apply_event
from dnw_desk.domain.errors import WorkflowError
from dnw_desk.domain.masking import mask_complainant_name
from dnw_desk.domain.sms import PlannedSms, SmsKind, plan, render
from dnw_desk.printing.model import status_url
from dnw_desk.services.cases import CaseService
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.sms.gateway import (
    HttpGateway,
    HttpGatewayConfig,
    LogGateway,
    OutgoingSms,
    SmsError,
    SmsGateway,
    parse_template_ids,
)
from dnw_desk.store import cases_repo, sms_outbox
from dnw_desk.store.database import Database
from dnw_desk.sync import state as sync_state

log = logging.getLogger(__name__)

CURSOR = "sms_cursor"  # in sync_state: the position of the last stored event planned
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
# A send that is neither marked sent nor failed after this long (a crash mid-send) is due again.
IN_FLIGHT = timedelta(minutes=2)


def backoff(attempt: int) -> timedelta:
    """After the n-th failed try: 30 s, 1 min, 2 min, … at most an hour."""
    return min(MAX_DELAY, BASE_DELAY * int(2 ** max(0, attempt - 1)))


def texts_of(settings: BusinessSettings) -> dict[SmsKind, str]:
    return {
        SmsKind.REGISTERED: settings.sms_text_registered,
        SmsKind.EXTENDED: settings.sms_text_extended,
        SmsKind.FED_BACK: settings.sms_text_fed_back,
        SmsKind.RATING: settings.sms_text_rating,
    }


def gateway_for(settings: BusinessSettings, env: Mapping[str, str] = os.environ) -> SmsGateway:
    """The configured gateway: the HTTP adapter when set up completely, else "log only"."""
    if settings.sms_gateway != "http" or not settings.sms_url:
        return LogGateway()
    config = HttpGatewayConfig(
        url=settings.sms_url,
        key_id=settings.sms_key_id,
        secret=env.get(settings.sms_secret_env, ""),
        signature=settings.sms_signature,
        template_ids=parse_template_ids(settings.sms_template_ids),
    )
    return HttpGateway(config)


@dataclass
class SmsService:
    db: Database
    cases: CaseService
    settings: BusinessSettings
    gateway: SmsGateway
    clock: Clock = system_clock

    # --- planning ------------------------------------------------------------------------------

    def plan_round(self) -> int:
        """Plan the messages of the events stored since the cursor; returns how many."""
        now = self.clock()
        with self.db.read() as conn:  # most rounds find nothing: no write transaction then
            cursor = sync_state.get_value(conn, CURSOR)
            if (
                cursor is not None
                and int(cursor) <= sms_outbox.last_position(conn)
                and not sms_outbox.recorded_after(conn, int(cursor))
            ):
                return 0
        with self.db.write() as conn:
            cursor = sync_state.get_value(conn, CURSOR)
            if cursor is None:  # first run: messages start from now, no backlog
                sync_state.set_value(conn, CURSOR, sms_outbox.last_position(conn), now)
                return 0
            fresh: dict[str, set[str]] = {}
            # Never past the last stored event (SQLite's VACUUM may renumber positions down).
            latest = min(int(cursor), sms_outbox.last_position(conn))
            for case_id, event_id, position in sms_outbox.recorded_after(conn, latest):
                fresh.setdefault(case_id, set()).add(event_id)
                latest = max(latest, position)
            added = sum(self._plan_case(conn, case_id, ids, now) for case_id, ids in fresh.items())
            sync_state.set_value(conn, CURSOR, latest, now)
        return added

    def _plan_case(self, conn: Connection, case_id: str, fresh: set[str], now: datetime) -> int:
        row = cases_repo.get_case(conn, case_id)
        events = cases_repo.load_events(conn, case_id)
        if row is None or not events or not row.phone:
            return 0
        base = {
            "name": mask_complainant_name(row.complainant_kind, row.complainant_name or ""),
            "number": row.number,
            "link": status_url(self.settings.status_url_base, row.number, row.verification_code),
        }
        planned = plan(events, _states(events), fresh, base)
        return sms_outbox.add_planned(conn, [_row(case_id, p, now) for p in planned])

    # --- sending -------------------------------------------------------------------------------

    def send_round(self) -> int:
        """Send the messages that are due; returns how many were sent."""
        with self.db.read() as conn:
            due = sms_outbox.due(conn, self.clock())
        return sum(self._send(message) for message in due)

    def _send(self, message: Any) -> bool:
        now = self.clock()
        with self.db.write() as conn:  # counted before it leaves: a crash resends, same key
            attempt = sms_outbox.begin_attempt(conn, message.id, now + IN_FLIGHT)
            row = cases_repo.get_case(conn, message.case_id)
        phone = row.phone if row is not None else None
        try:
            if not phone:
                raise SmsError("no phone number (erased)", permanent=True)
            kind = SmsKind(message.kind)
            text = render(texts_of(self.settings)[kind], message.params)
            ref = self.gateway.send(OutgoingSms(message.id, phone, kind, text, message.params))
        except SmsError as exc:
            self._failed(message, attempt, str(exc), exc.permanent)
            return False
        done = self.clock()
        data = {"message_id": message.id, "template": message.kind, "attempt": attempt}
        self.cases.record_automatic(
            [(message.case_id, EventType.SMS_SENT, {**data, "gateway": self.gateway.name}, done)],
            also=lambda conn: sms_outbox.mark_sent(conn, message.id, done, ref),
        )
        return True

    def _failed(self, message: Any, attempt: int, reason: str, permanent: bool) -> None:
        now = self.clock()
        give_up = permanent or attempt >= MAX_ATTEMPTS
        retry_at = None if give_up else now + backoff(attempt)
        log.warning("sms %s attempt %d failed: %s", message.id, attempt, reason)
        data = {
            "message_id": message.id,
            "template": message.kind,
            "attempt": attempt,
            "reason": reason,
            "final": give_up,
        }
        self.cases.record_automatic(
            [(message.case_id, EventType.SMS_FAILED, data, now)],
            also=lambda conn: sms_outbox.mark_failed(conn, message.id, reason, retry_at),
        )


def _states(events: list[Event]) -> list[CaseState]:
    states: list[CaseState] = []
    state: CaseState | None = None
    for event in events:
        try:
            state = apply_event(state, event)
        except WorkflowError:
            break  # a damaged timeline plans nothing past the damage
        states.append(state)
    return states


def _row(case_id: str, planned: PlannedSms, now: datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "case_id": case_id,
        "trigger_event_id": planned.trigger_event_id,
        "kind": planned.kind.value,
        "params": dict(planned.params),
        "status": sms_outbox.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


@dataclass(frozen=True)
class FailingMessage:
    case_number: str
    kind: str
    attempts: int
    reason: str
    gave_up: bool


def failing_messages(db: Database) -> list[FailingMessage]:
    """What the shift lead is shown: the messages that failed and are not sent (yet)."""
    with db.read() as conn:
        rows = sms_outbox.failing(conn)
        numbers = {
            row.case_id: (case.number if (case := cases_repo.get_case(conn, row.case_id)) else "")
            for row in rows
        }
    return [
        FailingMessage(
            numbers[row.case_id],
            row.kind,
            row.attempts,
            row.last_error or "",
            row.status == sms_outbox.GAVE_UP,
        )
        for row in rows
    ]
