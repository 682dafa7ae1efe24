"""Reports with 100 000 cases stored: the day-ledger PDF of 500 cases (≤ 2 s) and the XLSX
ledger of all 100 000 rows (time and peak memory).

Floors, measured in the same run: an empty reportlab document with the same fonts registered
(for the PDF); a raw ``sqlite3`` SELECT streaming the same 100 000 rows (for the XLSX). The
XLSX export runs in a child process so its peak RSS is its own.
"""

from __future__ import annotations

import multiprocessing
import resource
import sqlite3
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from bench.common import Result, data_dir_with_cases, p50, print_results, result

PDF_CASES = 500
RUNS = 3


def _xlsx_child(data_dir: str, out: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from dnw_desk.reports import jobs
    from dnw_desk.services.desk import open_desk
    from dnw_desk.services.review import ExportRequest

    desk = open_desk(Path(data_dir))
    before = _rss_mb()
    peak = [before]
    done = threading.Event()

    def sample() -> None:  # RSS every 50 ms while the export runs
        while not done.wait(0.05):
            peak[0] = max(peak[0], _rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    count = jobs.ledger_export(desk, ExportRequest(date(2000, 1, 1), date(2100, 1, 1)), Path(out))
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    desk.close()
    queue.put((count, elapsed, before, max(peak[0], _rss_mb())))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def main() -> list[Result]:
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from dnw_desk.reports.daily import write_daily_pdf
    from dnw_desk.reports.fonts import markup, register_fonts
    from dnw_desk.reports.pdf_common import styles
    from dnw_desk.services.desk import open_desk
    from dnw_desk.services.review import ExportRequest, review_for

    data_dir = data_dir_with_cases(100_000)
    desk = open_desk(data_dir)
    service = review_for(desk)
    today = desk.clock().date()
    rows = []
    for back in range(0, 30):
        day = date.fromordinal(today.toordinal() - back)
        rows.extend(service.iter_ledger(ExportRequest(day, day)))
        if len(rows) >= PDF_CASES:
            break
    rows = rows[:PDF_CASES]
    review = service.build_day_review(today)
    work = Path(tempfile.mkdtemp(prefix="dnw-bench-reports-"))
    settings = desk.settings

    def day_pdf() -> float:
        started = time.perf_counter()
        write_daily_pdf(
            review,
            rows,
            work / "daily.pdf",
            hall_name=settings.hall_name,
            window_name=settings.window_name,
        )
        return time.perf_counter() - started

    def empty_pdf() -> float:
        register_fonts()
        started = time.perf_counter()
        doc = SimpleDocTemplate(str(work / "empty.pdf"))
        doc.build([Paragraph(markup("台账"), styles()["body"])])
        return time.perf_counter() - started

    day_pdf(), empty_pdf()  # warm fonts and caches
    pdf = [day_pdf() for _ in range(RUNS)]
    empty = [empty_pdf() for _ in range(RUNS)]

    raw = sqlite3.connect(desk.db.path)
    started = time.perf_counter()
    streamed = 0
    for _row in raw.execute(
        "SELECT number, registered_at, complainant_name, phone, id_number, category, "
        "service_item, lead_unit, status, deadline, fed_back_at, on_time, returns, clerk_no "
        "FROM cases ORDER BY registered_at, id"
    ):
        streamed += 1
    raw_select = time.perf_counter() - started
    desk.close()

    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("spawn").Process(
        target=_xlsx_child, args=(str(data_dir), str(work / "ledger.xlsx"), queue)
    )
    child.start()
    count, xlsx_seconds, rss_before, rss_peak = queue.get()
    child.join()
    size_mb = (work / "ledger.xlsx").stat().st_size / 1e6
    results = [
        result(f"day ledger PDF, {len(rows)} cases (s)", p50(pdf), p50(empty), "s", "≤ 2 s"),
        result(
            f"XLSX ledger, {count} rows ({size_mb:.1f} MB) (s)",
            xlsx_seconds,
            raw_select,
            "s",
            "streamed, cancellable",
        ),
        result(
            "XLSX ledger, peak RSS during the export (MB)",
            rss_peak,
            rss_before,
            "MB",
            f"floor = the opened desk; +{rss_peak - rss_before:.0f} MB",
        ),
    ]
    print_results(results)
    print(f"(raw SELECT streamed {streamed} rows)")
    return [dict(row) for row in results]  # type: ignore[misc]


if __name__ == "__main__":
    main()
