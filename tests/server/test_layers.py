"""The server and the sync client never load Qt (docs/architecture.md#layers), not even
transitively."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

MODULES = [
    "dnw_desk.server.app",
    "dnw_desk.server.cli",
    "dnw_desk.devserver",
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


DESK_SIDE = ("dnw_desk.store", "dnw_desk.sync")
PACKAGE = Path(__file__).resolve().parents[2] / "dnw_desk"


def _shared_side() -> list[Path]:
    return sorted(p for folder in ("server", "contract") for p in (PACKAGE / folder).rglob("*.py"))


def test_server_names_nothing_of_the_desks_store_or_sync() -> None:
    """What both sides share lives in ``dnw_desk.contract`` (docs/architecture.md#layers); an
    import inside a function or a migration counts too."""
    found = []
    for path in _shared_side():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            if any(n == side or n.startswith(side + ".") for n in names for side in DESK_SIDE):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, "the server imports the desk's store or sync:\n" + "\n".join(found)


def test_server_loads_nothing_of_the_desks_store_or_sync() -> None:
    """Not even transitively, through a module of another package."""
    modules = sorted(
        "dnw_desk." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for path in _shared_side()
        if path.name != "__init__.py" and "migrations" not in path.parts
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.startswith({DESK_SIDE!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
