"""Text messages to the complainant: which step sends which message, and what it may say
(docs/rules.md#text-messages).

A message says no more than the case number, the complainant's masked name, a deadline and the
status page's link. It is planned from the timeline alone — the registration, an extension, the
unit's feedback — and keyed by the step that caused it, so planning the same step twice plans one
message. Only a complainant who agreed (``consent_sms`` at registration) gets any.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dnw_desk.domain.case_state import CaseState, Event, Status
from dnw_desk.domain.event_types import EventType
from dnw_desk.i18n import N_


class SmsKind(StrEnum):
    REGISTERED = "registered"  # number, deadline, status link
    EXTENDED = "extended"  # the new deadline
    FED_BACK = "fed_back"  # the unit's feedback was given
    RATING = "rating"  # invitation to rate on the status page


SMS_KIND_LABELS: dict[SmsKind, str] = {
    SmsKind.REGISTERED: N_("Registered (number, deadline, link)"),
    SmsKind.EXTENDED: N_("New deadline"),
    SmsKind.FED_BACK: N_("Unit's feedback given"),
    SmsKind.RATING: N_("Invitation to rate"),
}

# The texts a hall starts with (business settings hold its own); {name} is the masked name.
DEFAULT_TEXTS: dict[SmsKind, str] = {
    SmsKind.REGISTERED: (
        "{name}您好，您反映的问题已受理，编号{number}，承办单位将于{deadline}前答复。"
        "查看进度：{link}"
    ),
    SmsKind.EXTENDED: "{name}您好，您反映的问题（编号{number}）答复期限已延长至{deadline}。",
    SmsKind.FED_BACK: "{name}您好，您反映的问题（编号{number}）承办单位已答复，详见：{link}",
    SmsKind.RATING: "{name}您好，欢迎对问题（编号{number}）的办理情况进行评价：{link}",
}
PARAMS = ("name", "number", "deadline", "link")


@dataclass(frozen=True)
class PlannedSms:
    trigger_event_id: str  # with ``kind``, the message's identity: planned once
    kind: SmsKind
    params: Mapping[str, str]  # of PARAMS only


def consented(events: Sequence[Event]) -> bool:
    """Whether the complainant agreed to text messages at registration (no answer: no)."""
    complainant = events[0].data.get("complainant") if events else None
    return isinstance(complainant, dict) and bool(complainant.get("consent_sms", False))


def _deadline(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else ""


def _triggered(event: Event, before: CaseState | None, after: CaseState) -> list[SmsKind]:
    if event.type is EventType.REGISTERED:
        return [SmsKind.REGISTERED]
    if before is None:
        return []
    if event.type in (EventType.EXTENSION_DECIDED, EventType.EXTENSION_GRANTED):
        return [SmsKind.EXTENDED] if after.deadline != before.deadline else []
    if after.status is Status.FED_BACK and before.status is not Status.FED_BACK:
        return [SmsKind.FED_BACK, SmsKind.RATING]
    return []


def plan(
    events: Sequence[Event],
    states: Sequence[CaseState],
    fresh: Iterable[str],
    base: Mapping[str, str],
) -> list[PlannedSms]:
    """The messages the ``fresh`` events (ids) of one timeline cause. ``states[i]`` is the fold
    after ``events[i]``; ``base`` holds the number, masked name and link. A registration's
    deadline is the one its referral (the step after it, same save) set."""
    if not consented(events):
        return []
    wanted = set(fresh)
    planned: list[PlannedSms] = []
    for index, event in enumerate(events):
        if event.event_id not in wanted:
            continue
        before = states[index - 1] if index else None
        kinds = _triggered(event, before, states[index])
        if not kinds:
            continue
        referred = index + 1 < len(events) and events[index + 1].type is EventType.REFERRED
        shown = states[index + 1] if index == 0 and referred else states[index]
        params = {**base, "deadline": _deadline(shown.deadline)}
        planned.extend(PlannedSms(event.event_id, kind, params) for kind in kinds)
    return planned


def render(text: str, params: Mapping[str, str]) -> str:
    """The message text; an unknown placeholder in a hall's template stays as typed."""

    class _Keep(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    try:
        return text.format_map(_Keep({key: str(params.get(key, "")) for key in PARAMS}))
    except (ValueError, IndexError):  # a stray brace in a hall's template
        return text
