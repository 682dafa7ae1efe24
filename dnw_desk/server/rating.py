"""The complainant's rating on the status page (一事一评, 线上评价): after the unit's feedback,
the page behind the receipt's QR code (number + verification code) offers the five-level rating
and a short comment, once per case and stage.

The rating becomes a ``rating`` event (stage ``feedback``, channel ``status_page``) applied like
a unit's step, so the desk pulls it into its timeline, where it takes the callback's place
(docs/rules.md#accountability). Its op id is derived from the case number and the stage: a second
submission — a double click, a reload, another phone — is the same op, applied once.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from dnw_desk.contract.wire import OpResult
from dnw_desk.domain.case import (
    Event,
    EventType,
    RatingChannel,
    RatingStage,
    Satisfaction,
    Status,
    fold,
)
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.ops import CaseView, Incoming, apply_ops

RATING_NAMESPACE = uuid.UUID("0b7f3f9e-2d4c-4b0e-9a57-5f8f0e6d1c42")
COMMENT_MAX = 200
ORIGIN = "public"  # pulled by the desk like a unit's steps


def rating_incoming(
    number: str, round_: int, level: Satisfaction, comment: str, now: datetime
) -> Incoming:
    """``round_``: how many times the case was reopened (重办) — each round's feedback is rated
    once."""
    op_id = str(uuid.uuid5(RATING_NAMESPACE, f"{number}|{RatingStage.FEEDBACK.value}|{round_}"))
    data = {
        "satisfaction": level.value,
        "stage": RatingStage.FEEDBACK.value,
        "channel": RatingChannel.ONLINE.value,
    }
    comment = " ".join(comment.split())[:COMMENT_MAX]
    if comment:
        data["comment"] = comment
    # The fingerprint ignores the level and comment: a second rating is the same op, refused.
    fingerprint = hashlib.sha256(f"status_page|{op_id}".encode()).hexdigest()
    return Incoming(
        op_id=op_id,
        fingerprint=fingerprint,
        case_no=number,
        event=Event(
            str(uuid.uuid5(RATING_NAMESPACE, op_id)), "", EventType.RATING, now, "citizen", data
        ),
        origin=ORIGIN,
        source="status_page",
    )


def _authorise(incoming: Incoming, view: CaseView | None) -> OpResult | None:
    """Refuse without recording the op when the case is not open for a rating, so that an
    early or forged submission cannot use up the rating of a later stage."""
    if view is None:
        return OpResult(op_id=incoming.op_id, outcome="not_found", status=404, code="unknown_case")
    state = view.state if view.state is not None else fold(view.timeline)
    if state.status is not Status.FED_BACK:
        return OpResult(
            op_id=incoming.op_id, outcome="conflict", status=409, code="not_open_for_rating"
        )
    return None


def record_online_rating(
    db: ServerDatabase, number: str, round_: int, level: Satisfaction, comment: str, now: datetime
) -> OpResult:
    """Apply the rating; 201 applied, 200 already rated (the same op), 409 not open for a
    rating (the fold refused it), 404 no such case."""
    [result] = apply_ops(
        db, [rating_incoming(number, round_, level, comment, now)], _authorise, now
    )
    return result
