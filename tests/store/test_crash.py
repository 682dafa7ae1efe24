"""Kill a registering process at random moments; nothing acknowledged may be lost or doubled."""

from __future__ import annotations

import os
import random
import re
import select as io_select
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from dnw_desk.store.audit import verify_chain
from dnw_desk.store.schema import open_database
from dnw_desk.store.tables import case_events, cases, outbox

KILLS = 30
FULL_NUMBER = re.compile(r"[A-Z0-9]+-\d{8}-\d{4}[A-Z0-9]")
ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(data_dir: Path, rng: random.Random) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_child.py")), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    # Wait until it is registering (a loaded machine may take seconds to start it), then let
    # it work for a random while and kill it without warning.
    assert child.stdout is not None
    first = _first_acknowledgement(child.stdout, timeout=60)
    time.sleep(rng.uniform(0.05, 0.6))
    os.kill(child.pid, signal.SIGKILL)
    out, _err = child.communicate(timeout=30)
    # A line cut off by the kill is not an acknowledgement.
    return [line for line in [*first, *out.splitlines()] if FULL_NUMBER.fullmatch(line)]


def _first_acknowledgement(stream: IO[str], timeout: float) -> list[str]:
    """The lines up to the child's first acknowledged number (bounded in time)."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _w, _x = io_select.select([stream], [], [], 0.1)
        if not ready:
            continue
        line = stream.readline()
        if not line:
            break  # the child ended
        lines.append(line.rstrip("\n"))
        if FULL_NUMBER.fullmatch(lines[-1]):
            break
    return lines


@pytest.mark.slow
def test_sigkill_loses_nothing_acknowledged(data_dir: Path) -> None:
    open_database(data_dir).close()  # migrate once, outside the loop
    rng = random.Random(7)
    reported: list[str] = []
    deadline = time.monotonic() + 240
    for _ in range(KILLS):
        if time.monotonic() > deadline:
            break
        reported.extend(_run_and_kill(data_dir, rng))
    assert len(reported) > KILLS, "the child barely registered anything"
    assert len(reported) == len(set(reported)), "a number was reported twice"

    db = open_database(data_dir)
    assert db.integrity_check() == "ok"
    with db.read() as conn:
        stored = Counter(conn.execute(select(cases.c.number)).scalars())
        assert all(stored[number] == 1 for number in reported), "an acknowledged case is missing"
        assert max(stored.values()) == 1
        serials: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for hall, window, day, serial in conn.execute(
            select(cases.c.hall, cases.c.window, cases.c.day, cases.c.serial)
        ):
            serials[(hall, window, day)].append(serial)
        for key, values in serials.items():
            assert sorted(values) == list(range(1, len(values) + 1)), f"gap in {key}"
        # Every case is whole: its two events and two outbox operations.
        per_case_events = conn.execute(select(func.count()).select_from(case_events)).scalar_one()
        per_case_ops = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
        assert per_case_events == per_case_ops == 2 * sum(stored.values())
        assert verify_chain(conn).ok
