"""The queue with 100 000 cases: open it, a filter keystroke, a search for a
complainant typed key by key (name, phone, ID number), one countdown tick.

Floors, measured in the same run: a raw ``sqlite3`` SELECT of the same page (same WHERE,
ORDER BY and LIMIT) for opening and filtering (for the complainant search, after the same
lookup of the keyed-hash index, digests computed beforehand); for the tick, reading the same
visible rows' two cells from a plain Python list (what a repaint cannot do cheaper).
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import time

from bench.common import (
    ROOT,
    Result,
    data_dir_with_cases,
    p50,
    percentile,
    print_results,
    result,
)

RUNS = 15
VISIBLE = 30  # rows on a 1366×768 screen
KEYSTROKES = ("A", "AH", "AH0", "社", "社保", "省", "省民", "省民政", "出入", "出入境")


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# Peak RSS from /proc (VmHWM): getrusage's ru_maxrss survives fork+exec, so a child started
# from this big process would report our peak, not its own.
BARE_WINDOW_RSS = (
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([]); w = QMainWindow(); w.show(); app.processEvents()\n"
    "from bench.bench_queue import peak_rss_mb\n"
    "print(peak_rss_mb())\n"
)


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from dnw_desk.domain import complainant_search
    from dnw_desk.services.alerts import alerts_for
    from dnw_desk.services.desk import open_desk
    from dnw_desk.services.queue import OPEN_VALUES, QueueQuery, QueueService
    from dnw_desk.store.cases_repo import CaseFilter
    from dnw_desk.ui.queue.model import PAGE_SIZE, Column, QueueModel
    from dnw_desk.ui.tasks import ImmediateTaskRunner

    app = QApplication.instance() or QApplication([])  # noqa: F841 (fonts, QBrush need it)
    data_dir = data_dir_with_cases(100_000)
    desk = open_desk(data_dir)
    alerts = alerts_for(desk)
    alerts.refresh()  # the cached levels as a running desk keeps them
    service = QueueService(desk.db)
    today = desk.clock().date()
    model = QueueModel(
        service, ImmediateTaskRunner(), desk.clock, desk.deadlines.working_time, alerts.level_of
    )

    def open_queue() -> None:
        model.set_query(QueueQuery())
        for row in range(min(VISIBLE, model.rowCount())):
            for column in Column:
                model.index(row, column).data()
        service.count(QueueQuery(), today)

    raw = sqlite3.connect(desk.db.path)
    marks = ",".join("?" * len(OPEN_VALUES))
    raw_sql = (
        "SELECT id, number, registered_at, complainant_kind, complainant_name, category, "
        "lead_unit, status, clerk_no, referred_at, deadline, deadline_provisional, level, "
        f"escalated, returns FROM cases WHERE status IN ({marks}) "
        "ORDER BY CASE WHEN status IN ('accepted', 'opinion_given', 'referred') THEN 0 ELSE 1 END, "
        "deadline IS NULL, deadline, number LIMIT ?"
    )

    def raw_open() -> None:
        raw.execute(raw_sql, (*OPEN_VALUES, PAGE_SIZE + 1)).fetchall()
        raw.execute(f"SELECT count(*) FROM cases WHERE status IN ({marks})", OPEN_VALUES).fetchall()

    for fn in (open_queue, raw_open):
        fn()  # warm caches
    opened = [_timed(open_queue) for _ in range(RUNS)]
    floor_open = [_timed(raw_open) for _ in range(RUNS)]

    def keystroke(text: str) -> None:
        query = replace(QueueQuery(), filter=CaseFilter(text=text))
        model.set_query(query)
        for row in range(min(VISIBLE, model.rowCount())):
            model.index(row, Column.TIME_LEFT).data()
        service.count(query, today)

    def raw_keystroke(text: str) -> None:
        like = f"%{text.lower()}%"
        raw.execute(
            raw_sql.replace("ORDER BY", "AND search_text LIKE ? ESCAPE '\\' ORDER BY"),
            (*OPEN_VALUES, like, PAGE_SIZE + 1),
        ).fetchall()
        raw.execute(
            f"SELECT count(*) FROM cases WHERE status IN ({marks}) AND search_text LIKE ?",
            (*OPEN_VALUES, like),
        ).fetchall()

    typed = [_timed(lambda t=t: keystroke(t)) for t in KEYSTROKES for _ in range(2)]
    floor_typed = [_timed(lambda t=t: raw_keystroke(t)) for t in KEYSTROKES for _ in range(2)]

    # A returning citizen: every prefix of a stored name, phone (typed as on a card, grouped)
    # and ID number, each a keystroke of its own; the last of each finds the case.
    name, phone, id_number = raw.execute(
        "SELECT complainant_name, phone, id_number FROM cases "
        f"WHERE id_number IS NOT NULL AND status IN ({marks}) ORDER BY number LIMIT 1",
        OPEN_VALUES,
    ).fetchone()
    national = phone.removeprefix("+86")
    spoken = f"{national[:3]} {national[3:7]} {national[7:]}"
    searches = [
        text[:n] for text in (name, spoken, id_number.lower()) for n in range(1, len(text) + 1)
    ]
    secret = desk.db.search_secret
    digests = {
        text: complainant_search.digests(secret, complainant_search.query_values(text))
        for text in searches
    }

    def raw_search(text: str) -> None:
        keys = digests[text]
        found = [
            case_id
            for (case_id,) in raw.execute(
                "SELECT DISTINCT case_id FROM complainant_keys "
                f"WHERE digest IN ({','.join('?' * len(keys))})",
                keys,
            )
        ]
        lookup = "search_text LIKE ? ESCAPE '\\'"
        if found:
            lookup = f"({lookup} OR id IN ({','.join('?' * len(found))}))"
        like = f"%{text.lower()}%"
        raw.execute(
            raw_sql.replace("ORDER BY", f"AND {lookup} ORDER BY"),
            (*OPEN_VALUES, like, *found, PAGE_SIZE + 1),
        ).fetchall()
        raw.execute(
            f"SELECT count(*) FROM cases WHERE status IN ({marks}) AND {lookup}",
            (*OPEN_VALUES, like, *found),
        ).fetchall()

    def search(text: str) -> None:
        query = replace(QueueQuery(), filter=CaseFilter(text=text))
        model.set_query(query)
        for row in range(min(VISIBLE, model.rowCount())):
            model.index(row, Column.TIME_LEFT).data()
        service.count(query, today)

    search(searches[-1])  # the index pages into the cache once, as after a first search
    assert model.rowCount() >= 1, "the complainant search must find the case"
    searched = [_timed(lambda t=t: search(t)) for t in searches]
    floor_searched = [_timed(lambda t=t: raw_search(t)) for t in searches]

    model.set_query(QueueQuery())
    rows = [model.row_at(i) for i in range(min(VISIBLE, model.rowCount()))]

    def tick() -> None:
        model.tick(0, VISIBLE - 1)
        for row in range(min(VISIBLE, model.rowCount())):
            model.index(row, Column.TIME_LEFT).data()
            model.index(row, Column.LEVEL).data()

    cells = [(r.number, r.deadline) for r in rows if r is not None]

    def list_floor() -> None:
        for number, deadline in cells:
            str(number), str(deadline)

    ticks = [_timed(tick) for _ in range(RUNS)]
    floor_ticks = [_timed(list_floor) for _ in range(RUNS)]
    refresh = [_timed(alerts.refresh) for _ in range(5)]
    with desk.db.read() as conn:
        pending = conn.exec_driver_sql(
            "SELECT count(*) FROM cases WHERE status IN ('referred','accepted','opinion_given')"
        ).scalar()
    # The memory budget with 100 000 cases. This process holds Qt, the open desk, the queue
    # model and the alert levels of every pending case; the floor is a bare PySide6 window.
    peak_mb = peak_rss_mb()
    bare = subprocess.run(
        [sys.executable, "-c", BARE_WINDOW_RSS],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
    )
    results = [
        result(
            "peak RSS with the queue open on 100k cases (MB)",
            peak_mb,
            float(bare.stdout.strip()),
            "MB",
            "≤ 250 MB",
        ),
        result(
            "queue open, 100k cases, p50 (ms)",
            p50(opened) * 1000,
            p50(floor_open) * 1000,
            "ms",
            "≤ 100 ms",
        ),
        result(
            "filter keystroke, p95 (ms)",
            percentile(typed, 95) * 1000,
            percentile(floor_typed, 95) * 1000,
            "ms",
            "≤ 30 ms",
        ),
        result(
            f"complainant search keystroke ({len(searches)} keys), p95 (ms)",
            percentile(searched, 95) * 1000,
            percentile(floor_searched, 95) * 1000,
            "ms",
            "≤ 30 ms",
        ),
        result(
            f"countdown tick, {VISIBLE} visible rows, p50 (ms)",
            p50(ticks) * 1000,
            p50(floor_ticks) * 1000,
            "ms",
            "visible rows only",
        ),
        result(
            f"alert level refresh, {pending} pending, p50 (ms)",
            p50(refresh) * 1000,
            None,
            "ms",
            "off the GUI thread, once a minute",
        ),
    ]
    print_results(results)
    desk.close()
    return [dict(row) for row in results]  # type: ignore[misc]


if __name__ == "__main__":
    main()
