"""Realistic demo cases for demos, screenshots and benchmarks (``dnw-desk demo-data``).

Cases are spread over the working days before "now", registered in opening hours, and carried
along their lifecycle as far as their age allows (accepted, returned and re-referred, opinion,
both parties informed, callback, closed; a share overdue or not accepted). Each case and each
step is shaped by the desk's own use cases (``CaseService.plan_registration`` /
``plan_not_accepted`` / ``new_case`` / ``next_event``, ``HandlingService.plan``), so a demo case
is validated, filed and recorded as the counter would; only the writing is done differently:
rows, events, outbox ops, search-index rows and a valid audit chain go in bulk, a few thousand
cases per transaction.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from dnw_desk.domain.case import EventType, Satisfaction, Status
from dnw_desk.domain.registration import (
    Category,
    Channel,
    Complainant,
    ComplainantKind,
    Matter,
    Registration,
)
from dnw_desk.domain.resident_id import check_character
from dnw_desk.domain.roles import Actor, Role
from dnw_desk.services.cases import NewCase, event_records
from dnw_desk.services.desk import Desk
from dnw_desk.services.handling import HandlingService, handling_for
from dnw_desk.store import cases_repo, outbox_queries
from dnw_desk.store.audit import AuditEntry, append_audit_many

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建国志强海燕晓东文博俊杰子涵梓萱浩然欣怡宇轩诗涵"  # noqa: E501
# Names that exercise what the desk must handle: a character outside the BMP, a compound name.
SPECIAL_NAMES = ("𠮷野家", "买买提·艾力", "欧阳娜娜", "司马光明")
ENTERPRISES = (
    "合肥市{}科技有限公司",
    "安徽{}建设工程有限公司",
    "芜湖{}贸易有限责任公司",
    "蚌埠市{}食品有限公司",
    "安庆{}物流有限公司",
    "黄山{}文化旅游发展有限公司",
)
SERVICE_ITEMS = (
    "企业投资项目备案",
    "建设工程规划许可证核发",
    "道路运输经营许可",
    "食品经营许可",
    "药品经营许可证核发",
    "建筑业企业资质核准",
    "社会保险关系转移接续",
    "职业资格证书补办",
    "出入境证件办理",
    "户口迁移",
    "不动产登记",
    "医疗机构执业登记",
    "教师资格认定",
    "律师执业许可",
    "民办学校设立审批",
    "危险化学品经营许可",
    "取水许可",
    "排污许可证核发",
    "高新技术企业认定",
    "退役军人优待证办理",
    "残疾人证办理",
    "住房公积金提取",
)
ID_PREFIXES = (
    "340104",
    "340102",
    "340202",
    "340302",
    "340403",
    "340822",
    "341002",
    "110105",
    "310115",
    "320102",
    "330106",
    "420106",
    "510107",
)
MOBILE_PREFIXES = (
    "138",
    "139",
    "137",
    "136",
    "135",
    "150",
    "151",
    "152",
    "158",
    "159",
    "182",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "199",
)
REFUSALS = (
    ("x-litigation", "涉法涉诉事项", "请通过司法途径解决"),
    ("x-petition", "信访事项", "请到省信访局反映"),
    ("x-own-fault", "申请人自身原因（材料不全等）", "请按一次性告知单补齐材料后再次申请"),
    ("x-hotline", "宜通过12345热线反映", "请拨打12345政务服务便民热线"),
)
CLERKS = (
    Actor("wangfang", "0815", Role.CLERK),
    Actor("liuyang", "0816", Role.CLERK),
    Actor("chenjing", "0817", Role.CLERK),
)
SHIFT_LEAD = Actor("zhaolei", "0801", Role.SHIFT_LEAD)
SATISFACTIONS = tuple(Satisfaction)  # from very satisfied to very unsatisfied
SATISFACTION_WEIGHTS = (45, 35, 12, 6, 2)
BATCH_CASES = 2000


@dataclass(frozen=True)
class DemoSummary:
    cases: int
    events: int
    first_day: date
    last_day: date


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person_name(self) -> str:
        if self.rng.random() < 0.01:
            return self.rng.choice(SPECIAL_NAMES)
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def mobile(self) -> str:
        return "+86" + self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def resident_id(self, today: date) -> str:
        born = today - timedelta(days=self.rng.randrange(18 * 365, 80 * 365))
        body = f"{self.rng.choice(ID_PREFIXES)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
        return body + check_character(body)

    def credit_code(self) -> str:
        from dnw_desk.domain.credit_code import ALPHABET
        from dnw_desk.domain.credit_code import check_character as uscc_check

        body = "91" + "340100" + "".join(self.rng.choice(ALPHABET) for _ in range(9))
        return body + uscc_check(body)

    def registration(self, category: str, unit: str, today: date) -> Registration:
        rng = self.rng
        if rng.random() < 0.2:
            complainant = Complainant(
                ComplainantKind.ENTERPRISE,
                rng.choice(ENTERPRISES).format(
                    rng.choice(("恒信", "华安", "徽商", "江淮", "皖通"))
                ),
                self.mobile(),
                credit_code=self.credit_code(),
                contact_person=self.person_name(),
            )
        else:
            complainant = Complainant(
                ComplainantKind.PERSON,
                self.person_name(),
                self.mobile(),
                id_number=self.resident_id(today) if rng.random() < 0.6 else "",
                consent_callback=rng.random() < 0.9,
            )
        item = rng.choice(SERVICE_ITEMS)
        evidence: dict[str, Any] = {}
        if category == "1":
            evidence = {
                "application_no": f"AH{today:%Y}{rng.randrange(10**8):08d}",
                "application_date": today - timedelta(days=rng.randrange(10, 60)),
            }
        elif category == "2":
            evidence = {
                "earlier_visits": tuple(
                    sorted(
                        today - timedelta(days=rng.randrange(3, 40))
                        for _ in range(rng.choice((2, 2, 3)))
                    )
                )
            }
        elif category == "4":
            evidence = {
                "ysj_place": rng.choice(("上海市", "江苏省南京市", "浙江省杭州市")),
                "ysj_item": item,
            }
        matter = Matter(
            category=category,
            service_item=item,
            lead_unit=unit,
            channel=rng.choice((Channel.ONLINE, Channel.OFFLINE)),
            description=f"办理{item}，{rng.choice(('多次往返仍未办结', '超过承诺时限', '窗口互相推诿', '系统提示无法受理'))}。",  # noqa: E501
            request=rng.choice(("尽快办结", "给出明确答复", "说明不予受理的依据")),
            **evidence,
        )
        return Registration(complainant, matter)


def _opening_moment(
    rng: random.Random, day: date, intervals: tuple[tuple[time, time], ...], tz: Any
) -> datetime:
    start, end = rng.choice(intervals)
    span = int((datetime.combine(day, end) - datetime.combine(day, start)).total_seconds())
    return datetime.combine(day, start, tzinfo=tz) + timedelta(seconds=rng.randrange(span))


class _Timeline:
    """One case carried along its lifecycle through the desk's own use-case steps: each step
    is planned by ``HandlingService.plan`` and ``CaseService.next_event`` exactly as the case
    detail's buttons would record it at that moment, only not written one by one."""

    def __init__(self, desk: Desk, handling: HandlingService, new: NewCase, now: datetime):
        self.cases, self.handling, self.now = desk.cases, handling, now
        self.events = list(new.events)
        self.state = new.state
        # Each event with the moment it was recorded (the registration's all at once).
        self.recorded = [(event, event.at) for event in new.events]

    def add(self, event_type: EventType, when: datetime, actor: Actor, /, **values: Any) -> bool:
        """Record the step at ``when`` with these form values (``at`` among them for the
        "informed" steps, as their dialogs ask); False when ``when`` is still to come."""
        if when > self.now:
            return False
        data, at = self.handling.plan(self.state, event_type, actor, values, when)
        event, self.state = self.cases.next_event(
            self.events, event_type, actor, data, at=at, now=when, state=self.state
        )
        self.events.append(event)
        self.recorded.append((event, when))
        for follow_type, follow_data in self.handling.follow_ups(event_type, data, when):
            follow, self.state = self.cases.next_event(
                self.events,
                follow_type,
                actor,
                follow_data,
                at=None,
                now=when,
                state=self.state,
                automatic=True,
            )
            self.events.append(follow)
            self.recorded.append((follow, when))
        return True


Later = Callable[[datetime, float, float], datetime]  # a moment some working minutes on


def _lifecycle(
    tl: _Timeline,
    rng: random.Random,
    desk: Desk,
    actor: Actor,
    t0: datetime,
    unit: str,
    units: tuple[str, ...],
) -> None:
    """From the referral made with the registration at ``t0`` to the case closed, as far as
    the case's age allows. Each stage returns where the next starts, or None where the case
    stops (its age reached)."""
    work = desk.deadlines.working_time

    def later(at: datetime, lo_min: float, hi_min: float) -> datetime:
        return work.add(at, timedelta(minutes=rng.uniform(lo_min, hi_min)))

    at = _unit_takes_it(tl, rng, later, actor, later(t0, 10, 120), unit, units)
    if at is not None:
        at = _feedback(tl, rng, later, actor, at)
    if at is not None:
        _callback(tl, rng, later, actor, at)


def _unit_takes_it(
    tl: _Timeline,
    rng: random.Random,
    later: Later,
    actor: Actor,
    at: datetime,
    unit: str,
    units: tuple[str, ...],
) -> datetime | None:
    if rng.random() < 0.05:  # the unit sends it back (a buck-passing signal)
        if not tl.add(EventType.UNIT_RETURNED, at, actor, reason="不属于本单位职责"):
            return None
        at = later(at, 5, 40)
        if not tl.add(EventType.RETURN_REVIEWED, at, actor, decision="accepted"):
            return None
        unit = rng.choice([u for u in units if u != unit])
        if not tl.add(EventType.REFERRED, at, actor, unit=unit):
            return None
        at = later(at, 10, 120)
    if not tl.add(EventType.UNIT_ACCEPTED, at, actor, by="单位联络员"):
        return None
    return at


def _feedback(
    tl: _Timeline, rng: random.Random, later: Later, actor: Actor, at: datetime
) -> datetime | None:
    assert tl.state.deadline is not None
    deadline = tl.state.deadline
    late = rng.random() < 0.12  # about one unit in eight answers after the deadline
    at = later(max(at, deadline), 30, 480) if late else later(at, 30, 360)
    if at > deadline and rng.random() < 0.5:
        # The shift lead chases it between the deadline and the unit's late answer.
        escalated_at = deadline + (at - deadline) / 2
        tl.add(EventType.ESCALATED, escalated_at, SHIFT_LEAD, to="带班负责人", note="逾期督办")
    kind = rng.choice(
        ("handled", "handled", "resolved_on_spot", "missing_materials_notice", "cannot_handle")
    )
    if not tl.add(EventType.OPINION_GIVEN, at, actor, kind=kind, text="已按规定办理并答复"):
        return None
    at = later(at, 5, 90)
    if not tl.add(
        EventType.COMPLAINANT_INFORMED, at, actor, channel="phone", at=at, by="单位联络员"
    ):
        return None
    at = later(at, 5, 60)
    if not tl.add(EventType.WINDOW_INFORMED, at, actor, at=at, by="单位联络员"):
        return None
    return later(at, 120, 900)


def _callback(tl: _Timeline, rng: random.Random, later: Later, actor: Actor, at: datetime) -> None:
    if not tl.state.callback_consent:
        if not tl.add(EventType.CALLBACK_SKIPPED, at, actor):
            return
        tl.add(EventType.CLOSED, later(at, 10, 300), actor)
        return
    satisfaction = rng.choices(SATISFACTIONS, SATISFACTION_WEIGHTS)[0]
    if not tl.add(
        EventType.CALLBACK,
        at,
        actor,
        at=at,
        channel="phone",
        satisfaction=satisfaction.value,
        comment="",
    ):
        return
    if tl.state.rectification_open:  # 差评: the unit rectifies, then a new callback
        at = later(at, 240, 1800)
        if not tl.add(EventType.RECTIFICATION_REPORTED, at, actor, text="已完成整改"):
            return
        at = later(at, 60, 600)
        if not tl.add(
            EventType.CALLBACK, at, actor, at=at, channel="phone", satisfaction="satisfied"
        ):
            return
    tl.add(EventType.CLOSED, later(at, 10, 300), actor)


def _working_days(desk: Desk, last: date, days: int) -> list[date]:
    candidates = (last - timedelta(days=offset) for offset in range(days))
    return sorted(day for day in candidates if desk.calendar.is_working_day(day))


def generate(
    desk: Desk,
    n_cases: int,
    days: int,
    seed: int = 20261124,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    if n_cases < 1 or days < 1:
        raise ValueError("need at least one case and one day")
    rng = random.Random(seed)
    people = _People(rng)
    now = desk.clock()
    settings = desk.settings
    intervals = desk.deadlines.working_time.hours.intervals
    opening = intervals[0][0]
    day_list = [
        day
        for day in _working_days(desk, now.date(), days)
        if datetime.combine(day, opening, tzinfo=now.tzinfo) < now
    ]
    if not day_list:
        raise ValueError("no working day in that range has opened yet")
    moments: list[datetime] = []
    while len(moments) < n_cases:
        moment = _opening_moment(rng, rng.choice(day_list), intervals, now.tzinfo)
        if moment < now:  # today's cases only up to "now"
            moments.append(moment)
    moments.sort()
    units = settings.units
    categories = settings.categories
    written_events = 0
    with desk.db.write() as conn:
        counters = cases_repo.daily_serials(conn, settings.hall_code, settings.window_no)
    for batch_start in range(0, n_cases, BATCH_CASES):
        batch = moments[batch_start : batch_start + BATCH_CASES]
        with desk.db.write() as conn:
            written_events += _write_batch(
                conn, desk, rng, people, batch, counters, units, categories, now
            )
        if progress:
            progress(batch_start + len(batch))
    return DemoSummary(n_cases, written_events, moments[0].date(), moments[-1].date())


def _new_case(
    desk: Desk,
    rng: random.Random,
    people: _People,
    actor: Actor,
    t0: datetime,
    unit: str,
    units: tuple[str, ...],
    categories: tuple[Category, ...],
    serial: int,
) -> NewCase:
    """One registration planned by the registration use case: about one in sixteen refused."""
    registration = people.registration(rng.choice(categories).code, unit, t0.date())
    if rng.random() < 0.06:
        reason_code, reason, advice = rng.choice(REFUSALS)
        clean, steps = desk.cases.plan_not_accepted(
            registration,
            actor,
            reason_code=reason_code,
            reason=reason,
            advice=advice,
            units=units,
            now=t0,
        )
    else:
        clean, steps = desk.cases.plan_registration(
            registration, actor, categories=categories, units=units, refer=True, now=t0
        )
    return desk.cases.new_case(clean, actor, t0, steps, serial)


def _write_batch(
    conn: Connection,
    desk: Desk,
    rng: random.Random,
    people: _People,
    moments: list[datetime],
    counters: dict[str, int],
    units: tuple[str, ...],
    categories: tuple[Category, ...],
    now: datetime,
) -> int:
    """Plan each case with the registration use case and its steps with the handling use
    case, then write the rows those would write, in a few statements for the whole batch."""
    terminal = desk.terminal
    handling = handling_for(desk)
    case_rows: list[dict[str, Any]] = []
    key_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    op_rows: list[dict[str, Any]] = []
    entries: list[AuditEntry] = []
    for t0 in moments:
        actor = rng.choice(CLERKS)
        key = t0.strftime("%Y%m%d")
        counters[key] = counters.get(key, 0) + 1
        unit = rng.choice(units)
        new = _new_case(desk, rng, people, actor, t0, unit, units, categories, counters[key])
        tl = _Timeline(desk, handling, new, now)
        if new.state.status is Status.REFERRED:
            _lifecycle(tl, rng, desk, actor, t0, unit, units)
        versions = [e.data["calendar_version"] for e in tl.events if "calendar_version" in e.data]
        last_recorded = tl.recorded[-1][1]
        case_rows.append(
            cases_repo.folded_case_row(
                new.row,
                tl.state,
                len(tl.events),
                last_recorded,
                versions[-1] if versions else None,
            )
        )
        key_rows.extend(new.key_rows)
        for seq, (event, recorded_at) in enumerate(tl.recorded, start=1):
            event_rows.append(cases_repo.event_row(event, seq, recorded_at))
            ops, audit = event_records([(event, seq)], recorded_at)
            op_rows.extend({**op, "created_at": recorded_at} for op in ops)
            entries.extend(audit)
    cases_repo.insert_cases(conn, case_rows)
    cases_repo.insert_complainant_keys(conn, key_rows)
    cases_repo.insert_event_rows(conn, event_rows)
    outbox_queries.enqueue_dated_ops(conn, op_rows)
    append_audit_many(conn, entries)
    cases_repo.set_daily_serials(conn, terminal.hall, terminal.window, counters)
    return len(event_rows)
