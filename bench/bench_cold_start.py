"""Cold start to a usable main window with 100 000 cases stored
(docs/architecture.md#performance-budgets: ≤ 1.5 × a bare PySide6 ``QMainWindow`` start measured in
the same run).

Both are fresh interpreters started as subprocesses, timed from spawn until they print a marker
from the first turn of their event loop after the window was shown (the desk through
``DNW_EXIT_WHEN_READY``: its window with the login page, whose login field takes typing; the
database opens meanwhile on the DB lane). A second desk figure, with its own budget (≤ 3×), is
the time until logging in is possible (``DNW-LOGIN-READY``: the data dir locked and *Log in*
enabled, the password checked with plain ``sqlite3`` while SQLAlchemy and the screens load). A
third, not held to a budget, is the time until the screens are built (``DNW-SCREENS-READY``): a
clerk who logged in sooner waits on the login page until then. What the desk does after that
(the case count, the queue's first query, shutting the workers down) is not start-up. Runs
alternate between the two so machine noise hits both alike; medians are reported.

Two desk figures: through ``dnw_desk.app.run_desk`` (the composition root) and through the
``dnw-desk`` command as the desktop entry starts it (its global options parsed first; the
subcommand modules are imported only for a command or ``-h``).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.common import ROOT, Result, data_dir_with_cases, print_results, result

RUNS = 5
BARE = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication(sys.argv)\n"
    "window = QMainWindow()\n"
    "window.resize(1366, 768)\n"
    "window.show()\n"
    "QTimer.singleShot(0, lambda: (print('DNW-READY', flush=True), app.quit()))\n"
    "sys.exit(app.exec())\n"
)
DESK_CLI = "import sys\nfrom dnw_desk.cli import main\nsys.exit(main(sys.argv[1:]))\n"
DESK_APP = (
    "import sys\nfrom pathlib import Path\nfrom dnw_desk.app import run_desk\n"
    "sys.exit(run_desk(Path(sys.argv[2])))\n"
)


def prepare(data_dir: Path) -> None:
    """Mark the demo data dir as set up, with an admin, so start-up goes to the login page."""
    from dnw_desk.domain.roles import Role
    from dnw_desk.services.accounts import AccountService, NewAccount
    from dnw_desk.services.desk import open_desk
    from dnw_desk.services.settings import save_settings

    desk = open_desk(data_dir)
    try:
        if not desk.settings.configured:
            save_settings(
                desk.db, replace(desk.settings, configured=True), actor="bench", now=desk.clock()
            )
        accounts = AccountService(desk.db)
        if not accounts.has_accounts():
            accounts.create(NewAccount("admin", "0800", Role.ADMIN, "bench-pass"), by=None)
    finally:
        desk.close()


def _timed(
    args: list[str],
    env: dict[str, str],
    logins: list[float] | None = None,
    screens: list[float] | None = None,
) -> float:
    """Seconds from spawn to the ready marker on the child's stdout (and, into ``logins`` and
    ``screens``, to the login-ready and screens-ready markers when the child prints them)."""
    started = time.perf_counter()
    with subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "DNW-READY":
                elapsed = time.perf_counter() - started
                break
        else:
            raise RuntimeError(f"{args[:3]} exited without becoming ready")
        for line in child.stdout:
            if line.strip() == "DNW-LOGIN-READY" and logins is not None:
                logins.append(time.perf_counter() - started)
            if line.strip() == "DNW-SCREENS-READY" and screens is not None:
                screens.append(time.perf_counter() - started)
        if child.wait(timeout=120) != 0:
            raise RuntimeError(f"{args[:3]} failed with exit code {child.returncode}")
    return elapsed


def main(n_cases: int = 100_000) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    data_dir = data_dir_with_cases(n_cases)
    prepare(data_dir)
    # An installed desk runs from compiled bytecode; under PYTHONDONTWRITEBYTECODE (or in a fresh
    # checkout) every start would compile the package's modules again (~0.5 s here).
    compileall.compile_dir(ROOT / "dnw_desk", quiet=1)
    from dnw_desk.services.desk import open_desk
    from dnw_desk.store import cases_repo

    desk = open_desk(data_dir)
    with desk.db.read() as conn:
        stored = cases_repo.count_cases(conn)
    desk.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DNW_EXIT_WHEN_READY": "1"}
    env["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    bare_args = [sys.executable, "-c", BARE]
    app_args = [sys.executable, "-c", DESK_APP, "--data-dir", str(data_dir)]
    cli_args = [sys.executable, "-c", DESK_CLI, "--data-dir", str(data_dir)]
    for args in (bare_args, app_args, cli_args):  # warm the OS file cache before measuring
        _timed(args, env)
    bare: list[float] = []
    app: list[float] = []
    cli: list[float] = []
    login: list[float] = []
    built: list[float] = []
    for _run in range(RUNS):
        bare.append(_timed(bare_args, env))
        app.append(_timed(app_args, env))
        cli.append(_timed(cli_args, env, login, built))
    floor = statistics.median(bare)
    budget = "≤ 1.5× bare QMainWindow"
    results = [
        result(
            f"cold start, {stored} cases, run_desk (s)", statistics.median(app), floor, "s", budget
        ),
        result(
            f"cold start, {stored} cases, dnw-desk cmd (s)",
            statistics.median(cli),
            floor,
            "s",
            budget,
        ),
    ]
    if login:
        ready = result(
            "  … until login possible, dnw-desk cmd (s)",
            statistics.median(login),
            floor,
            "s",
            "≤ 3× bare QMainWindow",
        )
        ready["key"] = "cold_start_login"
        results.append(ready)
    if built:
        results.append(
            result(
                "  … until the screens are built, dnw-desk cmd (s)",
                statistics.median(built),
                floor,
                "s",
                "—",
            )
        )
    print_results(results)
    return [dict(row) for row in results]  # type: ignore[misc]


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)  # a smaller N to try changes
