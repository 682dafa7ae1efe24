"""Time to receipt as the clerk feels it (issue 16, goal 4): from the save key (F9) on the intake
screen to the last byte of the receipt at a network printer.

The real window (as ``dnw-desk`` builds it: the alert refresh, the sync worker retrying an
unreachable server and the daily backup running) on 20 000 demo cases, logged in, with
``tcp://127.0.0.1:PORT`` as the counter printer: a fake ESC/POS printer on a random loopback port
that answers every status query (DLE EOT n, GS r n) at once and notes when each byte arrived. The
clerk's keys go through QTest (a minimal registration typed into the form, then F9).

The floor, in the same run: the same job bytes sent to the same fake printer over a bare socket
(connect, one ``sendall``), up to the last byte's arrival.

Each receipt's path is stamped on the way (saved on the DB lane, job queued, worker started,
receipt rendered, ESC/POS encoded, connected, status answered, written) and the medians are
printed, so a slow figure says where the time goes.

``python -m bench.bench_time_to_receipt [RUNS] [CASES]`` — e.g. ``10 3000`` for a quick run.
"""

from __future__ import annotations

import collections
import functools
import os
import socket
import sys
import time
from typing import Any

from bench.bench_busy_desk import LoggedInWindow, _prepare
from bench.common import Result, data_dir_with_cases, p50, percentile, print_results, result

RUNS = 30
CASES = 20_000
WAIT_S = 30.0
PAUSE_S = 1.0
STAMPS: dict[str, float] = {}


def _stamp(name: str) -> None:
    STAMPS.setdefault(name, time.perf_counter())


class FakePrinter:
    """An ESC/POS printer on 127.0.0.1, in a process of its own (a real printer does not take
    the desk's interpreter lock): answers DLE EOT n and GS r n at once (online, paper present),
    skips raster data (``GS v 0``) without reading commands in it, and notes the arrival time
    of every chunk (``time.perf_counter`` is the system's monotonic clock, shared by both)."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        ready: Any = context.Queue()
        self.sessions: Any = context.Queue()
        self.process = context.Process(target=_serve, args=(ready, self.sessions), daemon=True)
        self.process.start()
        self.port: int = ready.get(timeout=WAIT_S)

    def take(self) -> tuple[bytes, list[tuple[float, int]]]:
        """The next connection's bytes and their arrivals ``(time, bytes so far)``."""
        received, arrivals = self.sessions.get(timeout=WAIT_S)
        return received, arrivals

    def close(self) -> None:
        self.process.terminate()
        self.process.join(5)


def _serve(ready: Any, sessions: Any) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    ready.put(server.getsockname()[1])
    while True:
        conn, _addr = server.accept()
        with conn:
            sessions.put(_session(conn))


def _session(conn: socket.socket) -> tuple[bytes, list[tuple[float, int]]]:
    received = bytearray()
    arrivals: list[tuple[float, int]] = []
    pos = 0  # parser position in ``received``
    skip = 0  # raster bytes still to pass over
    while True:
        try:
            data = conn.recv(262144)
        except OSError:
            break
        if not data:
            break
        arrivals.append((time.perf_counter(), len(received) + len(data)))
        received += data
        answers = bytearray()
        while pos < len(received):
            if skip:
                step = min(skip, len(received) - pos)
                pos, skip = pos + step, skip - step
                continue
            head = received[pos : pos + 8]
            if head[:2] in (b"\x10\x04", b"\x1dr"):
                if len(head) < 3:
                    break
                answers.append(0x12 if head[:2] == b"\x10\x04" else 0x00)
                pos += 3
            elif head[:3] == b"\x1dv0":
                if len(head) < 8:
                    break
                skip = (head[4] + 256 * head[5]) * (head[6] + 256 * head[7])
                pos += 8
            else:
                pos += 1
        if answers:
            conn.sendall(bytes(answers))
    return bytes(received), arrivals


def _job_bytes(received: bytes) -> bytes:
    """What the app sent minus its status queries before and after (three DLE EOT each)."""
    return received[9:-9] if received.startswith(b"\x10\x04") else received


def _last_job_byte(arrivals: list[tuple[float, int]], received: bytes) -> float:
    end = len(received) - 9 if received.startswith(b"\x10\x04") else len(received)
    return next(at for at, total in arrivals if total >= end)


def _instrument() -> None:
    """Stamp the receipt's way through the product code (wrappers only: nothing changes)."""
    from dnw_desk.printing import connection, escpos_out, jobs, queue, raster, tcp
    from dnw_desk.ui import print_jobs
    from dnw_desk.ui.intake import page

    def around(owner: Any, name: str, before: str | None, after: str | None) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if before:
                _stamp(before)
            value = original(*args, **kwargs)
            if after:
                _stamp(after)
            return value

        setattr(owner, name, wrapper)

    around(page.IntakePage, "on_save_triggered", "key handled", None)
    around(page.IntakePage, "on_case_saved", "save delivered to GUI", None)
    around(print_jobs.PrintJobs, "_submit", "print job submitted", None)
    around(print_jobs, "enqueue", "enqueue starts (DB lane)", "job queued")
    around(queue, "enqueue", "enqueue starts (DB lane)", "job queued")
    around(queue.PrintWorker, "process_one", "worker awake", None)
    around(raster, "render", "render starts", "raster rendered")
    around(jobs, "raster_job", None, "ESC/POS encoded")
    around(escpos_out, "raster_job", None, "ESC/POS encoded")
    around(tcp.TcpConnection, "__init__", "connect starts", "connected")
    around(connection, "query_status", None, "status answered")
    around(tcp.TcpConnection, "write", None, None)
    original_write = tcp.TcpConnection.write

    def write(self: Any, data: bytes, deadline: Any) -> None:
        original_write(self, data, deadline)
        if len(data) > 3:
            _stamp("job written")

    tcp.TcpConnection.write = write  # type: ignore[method-assign]


class Desk(LoggedInWindow):
    """The real window, logged in, printing to the fake printer."""

    def __init__(self, data_dir: Any, printer_uri: str) -> None:
        super().__init__(data_dir, printer_uri, background=True)
        register = self.desk.cases.register

        def stamped_register(*args: Any, **kwargs: Any) -> Any:
            saved = register(*args, **kwargs)
            _stamp("save done (DB lane)")
            return saved

        self.desk.cases.register = stamped_register  # type: ignore[method-assign]
        self.intake = self.screens.session.intake
        self.unit = self.desk.settings.units[0]
        self.done: list[object] = []
        assert self.ui.printing is not None
        self.ui.printing.sig_job_done.connect(self.done.append)
        self.ui.printing.sig_job_failed.connect(self.done.append)

    def register(self, n: int) -> float:
        """Type a minimal registration, press F9; returns the perf_counter of the key press."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.wait(lambda: not self.intake.saving)
        form = self.intake.form
        form.edits["name"].setText("李四")
        QTest.keyClicks(form.edits["phone"], f"1381234{n % 10000:04d}")
        form.suggest_category("3")
        form.edits["service_item"].setText("社保转移")
        QTest.keyClicks(form.edits["service_item"], f" {n}")  # QTest types ASCII only
        form.edits["lead_unit"].setText(getattr(self.unit, "name", str(self.unit)))
        self.done.clear()
        STAMPS.clear()
        pressed = time.perf_counter()
        QTest.keyClick(form.edits["service_item"], Qt.Key.Key_F9)
        self.wait(lambda: bool(self.done))
        return pressed

    def close(self) -> None:
        self.screens.stop_background()
        if self.ui.printing is not None:
            self.ui.printing.shutdown()
        self.ui.tasks.shutdown()
        self.window.close()
        self.desk.close()


def _bare(printer: FakePrinter, job: bytes) -> float:
    """The floor: connect, one sendall, until the last byte arrived (ms)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", printer.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(job)
        sock.shutdown(socket.SHUT_WR)
        sock.recv(16)
    received, arrivals = printer.take()
    assert received == job, "the fake printer got other bytes"
    return (arrivals[-1][0] - started) * 1000


def main(runs: int = RUNS, n_cases: int = CASES) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    data_dir = data_dir_with_cases(n_cases)
    printer = FakePrinter()  # before Qt starts: a process of its own
    _prepare(data_dir)
    _instrument()
    desk = Desk(data_dir, f"tcp://127.0.0.1:{printer.port}")
    times: list[float] = []
    floors: list[float] = []
    phases: dict[str, list[float]] = collections.defaultdict(list)
    runs_seen: list[dict[str, float]] = []
    try:
        for n in range(runs + 2):  # the first two warm up: fonts, first queries, first dialogs
            pressed = desk.register(n)
            received, arrivals = printer.take()
            last = _last_job_byte(arrivals, received)
            stamps = dict(STAMPS)
            if n < 2:
                continue
            times.append((last - pressed) * 1000)
            floors.append(_bare(printer, _job_bytes(received)))
            stamps["last byte at the printer"] = last
            for name, at in stamps.items():
                phases[name].append((at - pressed) * 1000)
            runs_seen.append({name: (at - pressed) * 1000 for name, at in stamps.items()})
            # The next citizen: a clerk types for a minute, so what the last receipt set off
            # (recording it printed, the alert refresh after that change) is long done.
            desk.settle(PAUSE_S)
    finally:
        desk.close()
        printer.close()
    print(f"receipt job: {len(_job_bytes(received))} bytes; medians from F9 (ms):", file=sys.stderr)
    for name, values in sorted(phases.items(), key=lambda item: p50(item[1])):
        print(f"  {p50(values):8.1f}  {name}", file=sys.stderr)
    slowest = max(runs_seen, key=lambda run: run["last byte at the printer"])
    steps = ", ".join(
        f"{name} {at:.0f}" for name, at in sorted(slowest.items(), key=lambda i: i[1])
    )
    print(f"the slowest receipt (ms from F9): {steps}", file=sys.stderr)
    return [
        result(
            "time to receipt p50 (ms, F9 → last byte)", p50(times), p50(floors), "ms", "≤ 150 ms"
        ),
        result(
            "time to receipt p95 (ms, F9 → last byte)",
            percentile(times, 95),
            percentile(floors, 95),
            "ms",
            "≤ 150 ms",
            key="time_to_receipt_p95",
        ),
    ]


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print_results(main(*args))
