"""Counts and timelines read from the case events, for the review, the monthly bulletin and the
alert cards. Functions take a Connection (the caller holds the transaction) and return plain
values; the event types come from ``domain.event_types``, never as strings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from dnw_desk.domain.case import Event, EventType, RatingChannel, RatingStage
from dnw_desk.domain.unit_figures import UNASSIGNED
from dnw_desk.store.tables import case_events, cases

_CHUNK = 500  # ids per IN (…) list


def _event_unit() -> Any:
    return func.json_extract(case_events.c.data, "$.unit")


def _values(types: Iterable[EventType]) -> list[str]:
    return sorted(kind.value for kind in types)


def events_by_unit(
    conn: Connection, types: Iterable[EventType], start: datetime, end: datetime
) -> dict[str, int]:
    """How many events of ``types`` in [start, end) name each unit in their data."""
    counts: dict[str, int] = defaultdict(int)
    for by_unit in events_by_type_and_unit(conn, types, start, end).values():
        for unit, count in by_unit.items():
            counts[unit] += count
    return dict(counts)


def events_by_type_and_unit(
    conn: Connection, types: Iterable[EventType], start: datetime, end: datetime
) -> dict[EventType, dict[str, int]]:
    """The same per event type, in one pass over the events (each type present has an entry;
    a missing unit is UNASSIGNED)."""
    query = (
        select(case_events.c.type, _event_unit(), func.count())
        .where(
            case_events.c.type.in_(_values(types)),
            case_events.c.at >= start,
            case_events.c.at < end,
        )
        .group_by(case_events.c.type, _event_unit())
    )
    found: dict[EventType, dict[str, int]] = {}
    for kind, unit, count in conn.execute(query):
        by_unit = found.setdefault(EventType(kind), defaultdict(int))
        by_unit[unit or UNASSIGNED] += int(count)
    return {kind: dict(by_unit) for kind, by_unit in found.items()}


def handling_rated() -> Any:
    """A callback, or the complainant's own rating after the feedback (which takes its place;
    a rating of the window's reception at registration rates no unit)."""
    return or_(
        case_events.c.type == EventType.CALLBACK.value,
        (case_events.c.type == EventType.RATING.value)
        & (func.json_extract(case_events.c.data, "$.stage") == RatingStage.FEEDBACK.value),
    )


def callbacks_by_lead_unit(conn: Connection, start: datetime, end: datetime) -> Sequence[Any]:
    """The callbacks (and ratings after the feedback) in [start, end): (lead_unit, data)."""
    return conn.execute(
        select(cases.c.lead_unit, case_events.c.data)
        .join(cases, cases.c.id == case_events.c.case_id)
        .where(
            handling_rated(),
            case_events.c.at >= start,
            case_events.c.at < end,
        )
    ).all()


def case_ids_with_events(
    conn: Connection, types: Iterable[EventType], start: datetime, end: datetime
) -> list[str]:
    """The cases with an event of ``types`` in [start, end), in id order. De-duplicated here:
    ``DISTINCT`` makes SQLite walk the (case_id, seq) index and look up every event, about
    three times slower than one pass over the table."""
    query = select(case_events.c.case_id).where(
        case_events.c.type.in_(_values(types)),
        case_events.c.at >= start,
        case_events.c.at < end,
    )
    return sorted(set(conn.execute(query).scalars()))


def timelines(conn: Connection, case_ids: Sequence[str]) -> dict[str, list[Event]]:
    """The whole timeline of each case, in order."""
    found: dict[str, list[Event]] = defaultdict(list)
    for offset in range(0, len(case_ids), _CHUNK):
        query = (
            select(case_events)
            .where(case_events.c.case_id.in_(case_ids[offset : offset + _CHUNK]))
            .order_by(case_events.c.case_id, case_events.c.seq)
        )
        for row in conn.execute(query):
            found[row.case_id].append(
                Event(row.id, row.case_id, EventType(row.type), row.at, row.actor, row.data)
            )
    return dict(found)


def level_crossings(
    conn: Connection, case_ids: Sequence[str], track: str = ""
) -> list[tuple[str, datetime, str]]:
    """(case id, at, level) of each ``level_crossed`` event of a track on these cases; the
    track "" is the feedback's own ladder."""
    level = func.json_extract(case_events.c.data, "$.level")
    kind = func.coalesce(func.json_extract(case_events.c.data, "$.track"), "")
    found: list[tuple[str, datetime, str]] = []
    for start in range(0, len(case_ids), _CHUNK):
        query = select(case_events.c.case_id, case_events.c.at, level).where(
            kind == track,
            case_events.c.type == EventType.LEVEL_CROSSED.value,
            case_events.c.case_id.in_(case_ids[start : start + _CHUNK]),
        )
        found.extend((case_id, at, str(name)) for case_id, at, name in conn.execute(query))
    return found


def cases_with_online_ratings(conn: Connection, status: str) -> list[str]:
    """The cases in ``status`` with a rating given on the status page."""
    return list(
        conn.execute(
            select(case_events.c.case_id)
            .join(cases, cases.c.id == case_events.c.case_id)
            .where(
                cases.c.status == status,
                case_events.c.type == EventType.RATING.value,
                func.json_extract(case_events.c.data, "$.channel") == RatingChannel.ONLINE.value,
            )
            .distinct()
        ).scalars()
    )
