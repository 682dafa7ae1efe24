"""Benchmark: recompute the deadlines of 100 000 open cases after a calendar change (issue 3).

Run: ``.venv/bin/python bench/bench_deadline_recompute.py [--cases N] [--no-store]``.

Figures, each against a floor measured in the same run (docs/architecture.md#performance-budgets):

* ``deadline_recompute`` — a fresh ``DeadlineCalculator`` over a new calendar (override installed,
  package caches cleared, so the year tables are built inside the timing) computes the Civil Code
  deadline for every referral. Floor: a plain loop over the same datetimes that computes "the next
  calendar day at closing time" with no calendar at all.
* ``deadline_recompute_store`` — the whole service (``recompute_open_deadlines``): read the open
  cases from SQLite, recompute, update ``calendar_version`` for all, and write an event, outbox
  op and audit entry for each case whose deadline changed, in one transaction. Floor: the same
  rows read with a bare ``SELECT`` and the plain loop.

``main()`` returns the primary result dict (name, figure, floor, ratio, budget; seconds) with the
store figure under ``"also"``, and prints both.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dnw_desk.clock import HALL_TZ, to_hall_time  # noqa: E402
from dnw_desk.domain import calendar as calendar_module  # noqa: E402
from dnw_desk.domain.calendar import WorkingCalendar  # noqa: E402
from dnw_desk.domain.calendar_override import parse_override  # noqa: E402
from dnw_desk.domain.deadlines import DeadlineCalculator  # noqa: E402

CASES = 100_000
# Budgets (ratio to the floor). The per-case work is a hall-time conversion plus dictionary
# lookups (deadlines are memoised per referral date), so it should stay within a small multiple
# of the bare loop; the store run adds SQLite reads, datetime decoding of two columns per row and
# one bulk UPDATE, which a plain Python loop does not do at all.
BUDGET_DOMAIN = 5.0
BUDGET_STORE = 40.0

OVERRIDE = """\
source = "benchmark: the 2027 schedule with Monday 4 January as an extra holiday"
version = "bench.1"
complete_years = [2027]
[[holiday]]
dates = [2027-01-01, 2027-01-02, 2027-01-03, 2027-01-04]
[[holiday]]
dates = [2027-02-05, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11]
[[workday]]
dates = [2027-02-20]
"""


def referral_times(count: int, seed: int = 20261231) -> list[datetime]:
    """Referrals spread over 2025-07 .. 2027-03 at any minute of the day (as the desk stores them,
    aware datetimes in hall time)."""
    rng = random.Random(seed)
    start = datetime(2025, 7, 1, tzinfo=HALL_TZ)
    span_minutes = int((datetime(2027, 3, 31, tzinfo=HALL_TZ) - start).total_seconds() // 60)
    return [start + timedelta(minutes=rng.randrange(span_minutes)) for _ in range(count)]


def best_of(repeats: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def plain_loop(moments: list[datetime]) -> list[datetime]:
    closing = clock_time(17, 30)
    one_day = timedelta(days=1)
    return [
        datetime.combine(to_hall_time(m).date() + one_day, closing, tzinfo=HALL_TZ) for m in moments
    ]


def recompute_cold(moments: list[datetime]) -> list[Any]:
    # A calendar change: new calendar object, package year tables rebuilt inside the timing.
    calendar_module._chinesecalendar_year.cache_clear()
    calendar_module._fallback_year.cache_clear()
    calculator = DeadlineCalculator(WorkingCalendar(parse_override(OVERRIDE)))
    return [calculator.deadline_for(m) for m in moments]


def result(name: str, figure: float, floor: float, budget: float) -> dict[str, Any]:
    ratio = figure / floor if floor else float("inf")
    return {
        "name": name,
        "figure": round(figure, 6),
        "floor": round(floor, 6),
        "ratio": round(ratio, 2),
        "budget": budget,
        "unit": "s",
        "within_budget": ratio <= budget,
    }


def bench_domain(moments: list[datetime], repeats: int) -> dict[str, Any]:
    floor = best_of(repeats, lambda: plain_loop(moments))
    figure = best_of(repeats, lambda: recompute_cold(moments))
    return result("deadline_recompute", figure, floor, BUDGET_DOMAIN)


def _fill_store(data_dir: Path, moments: list[datetime]) -> Any:
    """A desk database with one referred case per moment, written with executemany."""
    from sqlalchemy import insert

    from dnw_desk.services.desk import open_desk
    from dnw_desk.store.tables import case_events, cases

    desk = open_desk(data_dir)
    old = DeadlineCalculator(WorkingCalendar())
    case_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    per_day: dict[date, int] = {}
    for moment in moments:
        day = moment.date()
        serial = per_day[day] = per_day.get(day, 0) + 1
        case_id = str(uuid.uuid4())
        number = f"AH08-{day:%Y%m%d}-{serial:04d}X"
        deadline = old.deadline_for(moment)
        case_rows.append(
            {
                "id": case_id,
                "number": number,
                "hall": "AH",
                "window": "08",
                "day": f"{day:%Y%m%d}",
                "serial": serial,
                "verification_code": "BENCH1",
                "registered_at": moment,
                "clerk_no": "0815",
                "category": "3",
                "service_item": "bench",
                "lead_unit": "省公安厅",
                "complainant_kind": "person",
                "search_text": number,
                "details": {},
                "status": "referred",
                "referred_at": moment,
                "deadline": deadline.deadline,
                "deadline_provisional": deadline.provisional,
                "calendar_version": deadline.calendar_version,
                "level": "none",
                "escalated": False,
                "returns": 0,
                "event_count": 2,
                "updated_at": moment,
            }
        )
        for seq, (kind, data) in enumerate(
            [
                ("registered", {"number": number}),
                (
                    "referred",
                    {
                        "unit": "省公安厅",
                        "deadline": deadline.deadline.isoformat(),
                        "deadline_provisional": deadline.provisional,
                        "calendar_version": deadline.calendar_version,
                        "rule": deadline.rule,
                    },
                ),
            ],
            start=1,
        ):
            event_rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "case_id": case_id,
                    "seq": seq,
                    "type": kind,
                    "at": moment,
                    "actor": "clerk:bench",
                    "data": data,
                    "recorded_at": moment,
                    "origin": "desk",
                }
            )
    with desk.db.write() as conn:
        conn.execute(insert(cases), case_rows)
        conn.execute(insert(case_events), event_rows)
    return desk


def bench_store(moments: list[datetime]) -> dict[str, Any]:
    from sqlalchemy import select

    from dnw_desk.services.calendar_change import recompute_open_deadlines
    from dnw_desk.services.desk import deadline_calculator
    from dnw_desk.store.tables import cases

    with tempfile.TemporaryDirectory(prefix="dnw-bench-") as temp:
        desk = _fill_store(Path(temp), moments)
        try:

            def floor_work() -> None:
                with desk.db.read() as conn:
                    rows = conn.execute(select(cases.c.id, cases.c.referred_at)).all()
                plain_loop([row.referred_at for row in rows])

            floor = best_of(3, floor_work)
            calendar_module._chinesecalendar_year.cache_clear()
            calendar_module._fallback_year.cache_clear()
            started = time.perf_counter()
            outcome = recompute_open_deadlines(
                desk.db,
                deadline_calculator(desk.settings, WorkingCalendar(parse_override(OVERRIDE))),
                desk.terminal,
                actor="admin:bench",
                now=datetime.now(HALL_TZ),
            )
            figure = time.perf_counter() - started
        finally:
            desk.close()
    found = result("deadline_recompute_store", figure, floor, BUDGET_STORE)
    found["examined"] = outcome.examined
    found["changed"] = len(outcome.changed)
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-store", action="store_true", help="skip the SQLite run")
    args = parser.parse_args(argv)
    moments = referral_times(args.cases)
    primary = bench_domain(moments, args.repeats)
    primary["cases"] = args.cases
    also = [] if args.no_store else [bench_store(moments)]
    primary["also"] = also
    for item in [primary, *also]:
        print(
            f"{item['name']}: {item['figure'] * 1000:.1f} ms for {args.cases} cases; floor "
            f"{item['floor'] * 1000:.1f} ms; ratio {item['ratio']} (budget {item['budget']})"
            + (f"; {item['changed']} of {item['examined']} changed" if "changed" in item else "")
        )
    print(json.dumps(primary, ensure_ascii=False))
    return primary


if __name__ == "__main__":
    main()
