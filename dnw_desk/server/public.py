"""What the public may see of a case: the status page behind the receipt's QR code.

No personal data ever: number, status, unit, deadline and the steps with their times. A wrong
verification code and an unknown number produce the very same page (and take the same path
through a constant-time compare), so numbers cannot be probed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from sqlalchemy import Connection, select

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import (
    OPINION_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    OpinionKind,
    Satisfaction,
    Status,
)
from dnw_desk.domain.event_types import EVENT_LABELS, PUBLIC_EVENTS, EventType, known_wire_type
from dnw_desk.domain.numbering import (
    CaseNumberError,
    parse_case_number,
    verification_codes_match,
)
from dnw_desk.i18n import N_, translate_in
from dnw_desk.server.halls import all_halls, name_of
from dnw_desk.server.tables import case_events, cases

LANGUAGES = ("zh_CN", "en")
_DUMMY_CODE = "ZZZZZZ"


@dataclass(frozen=True)
class PublicCase:
    number: str
    hall_name: str | None  # None until the hall's terminal or an administrator named it
    status: Status
    lead_unit: str | None
    deadline: datetime | None
    deadline_provisional: bool
    on_time: bool | None
    opinion_kind: str | None
    steps: tuple[tuple[EventType, datetime], ...]
    # The unit's feedback reached both parties and is not rated yet: the page offers the rating
    # of this round (the number of times the case was reopened, 重办).
    rating_round: int | None = None


def pick_language(lang: str | None) -> str:
    return "en" if (lang or "").lower().startswith("en") else "zh_CN"


def lookup_key(number_text: str) -> str | None:
    """The case number a lookup is for, as the per-number lockout counts it (None: no number
    could match, so there is nothing to protect)."""
    try:
        return str(parse_case_number(number_text))
    except CaseNumberError:
        return None


def lookup(conn: Connection, number_text: str, code: str) -> PublicCase | None:
    try:
        number: str | None = str(parse_case_number(number_text))
    except CaseNumberError:
        number = None
    row = None
    if number is not None:
        row = conn.execute(select(cases).where(cases.c.number == number)).first()
    expected = row.verification_code if row is not None else _DUMMY_CODE
    matches = verification_codes_match(expected, code[:32])
    if row is None or not matches:
        return None
    steps = conn.execute(
        select(case_events.c.type, case_events.c.at)
        .where(case_events.c.case_id == row.id)
        .order_by(case_events.c.position)
    ).all()
    return PublicCase(
        number=row.number,
        hall_name=name_of(conn, row.hall),
        status=Status(row.status),
        lead_unit=row.lead_unit,
        deadline=row.deadline,
        deadline_provisional=bool(row.deadline_provisional),
        on_time=row.on_time,
        opinion_kind=row.opinion_kind,
        rating_round=(
            sum(1 for step in steps if step.type == EventType.REDO.value)
            if row.status == Status.FED_BACK.value
            else None
        ),
        # An allow-list (the event table's ``public``): a step not declared public, or of a
        # type this server does not know, is never shown to citizens.
        steps=tuple(
            (kind, step.at)
            for step in steps
            if (kind := known_wire_type(step.type)) is not None and kind in PUBLIC_EVENTS
        ),
    )


_STYLE = """
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",
sans-serif;margin:0;background:#f4f6f8;color:#1d2733;font-size:17px;line-height:1.5}
main{max-width:34rem;margin:0 auto;padding:1rem}
header{background:#b3261e;color:#fff;padding:1rem}
header h1{font-size:1.25rem;margin:0}header p{margin:.25rem 0 0;font-size:.9rem}
.lang{float:right;color:#fff}.lang a{color:#fff}
.card{background:#fff;border-radius:.6rem;padding:1rem;margin:1rem 0;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
.number{font-size:1.35rem;font-weight:700;letter-spacing:.04em;word-break:break-all}
.status{display:inline-block;background:#1565c0;color:#fff;border-radius:1rem;
padding:.15rem .8rem;font-weight:600}
dl{margin:0}dt{color:#5b6877;font-size:.9rem;margin-top:.6rem}dd{margin:0;font-weight:600}
ol{padding-left:1.2rem;margin:.25rem 0}li{margin:.35rem 0}li time{color:#5b6877;
font-size:.9rem;display:block}.note{color:#5b6877;font-size:.85rem}
.warn{color:#8a4b00}input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;
margin:.25rem 0 .75rem}button{font-size:1rem;padding:.6rem 1.2rem;background:#b3261e;
color:#fff;border:0;border-radius:.4rem}
"""


def _t(lang: str, message: str) -> str:
    return html.escape(translate_in(lang, message))


def _when(moment: datetime) -> str:
    return moment.astimezone(HALL_TZ).strftime("%Y-%m-%d %H:%M")


def _page(
    lang: str,
    title: str,
    body: str,
    switch_query: dict[str, str],
    path: str,
    hall_name: str | None = None,
) -> str:
    other = "en" if lang == "zh_CN" else "zh_CN"
    label = "English" if other == "en" else "中文"
    href = html.escape(f"{path}?{urlencode({**switch_query, 'lang': other})}")
    html_lang = "zh-CN" if lang == "zh_CN" else "en"
    # Translations outside the f-strings, where message extraction finds them.
    window = _t(lang, "Could-not-get-it-done complaint window")
    subtitle = f"{html.escape(hall_name)} · {window}" if hall_name else window
    no_personal_data = _t(lang, "This page shows no personal data.")
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f'<header><span class="lang"><a href="{href}" hreflang="{other}">{label}</a></span>'
        f"<h1>{title}</h1><p>{subtitle}</p></header>"
        f'<main>{body}<p class="note">{no_personal_data}</p>'
        "</main></body></html>"
    )


def render_case(case: PublicCase, lang: str, code: str) -> str:
    unit = html.escape(case.lead_unit) if case.lead_unit else _t(lang, "Not yet assigned")
    rows = [
        f'<dt>{_t(lang, "Status")}</dt><dd><span class="status">'
        f"{_t(lang, STATUS_LABELS[case.status])}</span></dd>",
    ]
    if case.status is not Status.NOT_ACCEPTED:  # no unit is to come: "not yet assigned" misled
        rows.append(f"<dt>{_t(lang, 'Responsible unit')}</dt><dd>{unit}</dd>")
    if case.deadline is not None and case.status not in (Status.NOT_ACCEPTED, Status.CLOSED):
        provisional = ""
        if case.deadline_provisional:
            warning = _t(
                lang, "Provisional: the holiday calendar for that year is not yet official."
            )
            provisional = f'<div class="note warn">{warning}</div>'
        due_by = _t(lang, "Feedback due by")
        rows.append(f"<dt>{due_by}</dt><dd><time>{_when(case.deadline)}</time>{provisional}</dd>")
    if case.opinion_kind:
        try:
            kind = _t(lang, OPINION_LABELS[OpinionKind(case.opinion_kind)])
        except ValueError:  # never echo an unknown value: it came from outside
            kind = _t(lang, OPINION_LABELS[OpinionKind.OTHER])
        rows.append(f"<dt>{_t(lang, 'Handling opinion')}</dt><dd>{kind}</dd>")
    if case.on_time is not None:
        verdict = N_("Feedback given on time") if case.on_time else N_("Feedback given late")
        feedback = _t(lang, "Feedback")
        rows.append(f"<dt>{feedback}</dt><dd>{_t(lang, verdict)}</dd>")
    steps = "".join(
        f"<li>{_t(lang, EVENT_LABELS[kind])}<time>{_when(at)}</time></li>"
        for kind, at in case.steps
    )
    number_label, steps_title = _t(lang, "Case number"), _t(lang, "Steps so far")
    body = (
        f'<section class="card"><div class="note">{number_label}</div>'
        f'<div class="number">{html.escape(case.number)}</div><dl>{"".join(rows)}</dl></section>'
        f'<section class="card"><h2 style="font-size:1rem;margin:0">'
        f"{steps_title}</h2><ol>{steps}</ol></section>"
        + (_rating_form(case.number, code, lang) if case.rating_round is not None else "")
    )
    path = f"/status/{quote(case.number, safe='')}"
    return _page(lang, _t(lang, "Case progress"), body, {"code": code}, path, case.hall_name)


def _rating_form(number: str, code: str, lang: str) -> str:
    """The five levels and a short comment, posted once (the server applies it once)."""
    levels = "".join(
        f'<label style="display:block;margin:.3rem 0"><input type="radio" name="level" '
        f'value="{level.value}" style="width:auto;margin:0 .5rem 0 0" required>'
        f"{_t(lang, SATISFACTION_LABELS[level])}</label>"
        for level in Satisfaction
    )
    title, comment = _t(lang, "Rate how your case was handled"), _t(lang, "Comment (optional)")
    send = _t(lang, "Submit rating")
    action = html.escape(f"/status/{quote(number, safe='')}/rating")
    return (
        f'<form class="card" method="post" action="{action}">'
        f'<h2 style="font-size:1rem;margin:0">{title}</h2>{levels}'
        f'<label>{comment}<input name="comment" maxlength="200" autocomplete="off"></label>'
        f'<input type="hidden" name="code" value="{html.escape(code[:32])}">'
        f'<input type="hidden" name="lang" value="{html.escape(lang)}">'
        f"<button>{send}</button></form>"
    )


def render_rated(lang: str, number: str, code: str, applied: bool) -> str:
    """After a rating: thanks, or that this stage was rated already (or is not open)."""
    message = (
        N_("Thank you for your rating.")
        if applied
        else N_("This case cannot be rated now: it was rated already, or it is not answered yet.")
    )
    back = _t(lang, "Back to the case")
    href = html.escape(f"/status/{quote(number, safe='')}?{urlencode({'code': code[:32]})}")
    body = f'<section class="card"><p>{_t(lang, message)}</p><a href="{href}">{back}</a></section>'
    return _page(lang, _t(lang, "Case progress"), body, {}, "/status")


def render_not_found(lang: str) -> str:
    """The same page for an unknown number and a wrong code (it echoes neither)."""
    body = (
        '<section class="card"><p>'
        + _t(
            lang,
            "No case matches this number and verification code. Check both on your receipt, "
            "or call the hotline printed on it.",
        )
        + "</p></section>"
        + _form(lang)
    )
    return _page(lang, _t(lang, "Case progress"), body, {}, "/status")


def render_lookup_form(lang: str, hall_name: str | None = None) -> str:
    return _page(lang, _t(lang, "Look up a case"), _form(lang), {}, "/status", hall_name)


def sole_hall_name(conn: Connection) -> str | None:
    """The hall a page without a case speaks for: only when this server serves exactly one."""
    named = all_halls(conn)
    return named[0][1] if len(named) == 1 else None


def render_too_many(lang: str) -> str:
    body = (
        '<section class="card"><p>'
        + _t(lang, "Too many lookups from your network. Please wait a minute and try again.")
        + "</p></section>"
    )
    return _page(lang, _t(lang, "Case progress"), body, {}, "/status")


def render_locked(lang: str) -> str:
    body = (
        '<section class="card"><p>'
        + _t(
            lang,
            "This case number had too many wrong verification codes and is locked for a while. "
            "Try again later, or call the hotline printed on your receipt.",
        )
        + "</p></section>"
    )
    return _page(lang, _t(lang, "Case progress"), body, {}, "/status")


def _form(lang: str) -> str:
    number, as_printed = _t(lang, "Case number"), _t(lang, "As printed on your receipt")
    code, look_up = _t(lang, "Verification code"), _t(lang, "Look up")
    return (
        '<form class="card" method="get" action="/status/lookup">'
        f'<label>{number}<input name="number" autocomplete="off" '
        f'placeholder="{as_printed}"></label>'
        f'<label>{code}<input name="code" autocomplete="off"></label>'
        f'<input type="hidden" name="lang" value="{html.escape(lang)}">'
        f"<button>{look_up}</button></form>"
    )
