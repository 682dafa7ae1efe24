"""The server and the sync client never load Qt (docs/architecture.md#layers), not even
transitively."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MODULES = [
    "dnw_desk.server.app",
    "dnw_desk.server.cli",
    "dnw_desk.server.devserver",
    "dnw_desk.sync.client",
    "dnw_desk.sync.worker",
    "dnw_desk.sync.enrolment",
    "dnw_desk.commands.enrol",
    "dnw_desk.commands.sync",
]


def test_server_and_sync_do_not_import_pyside6(tmp_path: Path) -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "from dnw_desk.server.app import create_app\n"
        "create_app(check_schema=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))\n"
    )
    env = {**os.environ, "DNW_SERVER_DATA_DIR": str(tmp_path)}
    env.pop("DNW_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    assert result.stdout.strip() == "[]"
