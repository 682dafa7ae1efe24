"""The server installs without the desk's GUI and printing stack, and the desk without the
server's web stack and database driver (``pip install 'dnw-desk[server]'`` / ``[desk]``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESK_ONLY = ("PySide6", "reportlab", "escpos", "openpyxl", "qrcode", "keyring", "usb", "serial")
SERVER_ONLY = ("fastapi", "uvicorn", "starlette", "psycopg")
# Distribution names as pyproject.toml spells them.
DESK_DISTS = {"pyside6", "reportlab", "python-escpos", "openpyxl", "qrcode", "keyring"}
SERVER_DISTS = {"fastapi", "uvicorn", "psycopg"}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=!;~]", req, maxsplit=1)[0].lower() for req in requirements}


def test_the_extras_keep_each_side_s_stack_apart() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = _names(project["dependencies"])
    extras = {name: _names(reqs) for name, reqs in project["optional-dependencies"].items()}
    assert not (base | extras["server"]) & DESK_DISTS
    assert not (base | extras["desk"]) & SERVER_DISTS
    assert extras["desk"] >= DESK_DISTS and extras["server"] >= SERVER_DISTS


def _run_without(blocked: tuple[str, ...], code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter where importing any of ``blocked`` fails, as in an
    environment that never installed them."""
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ImportError('not installed: ' + name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", blocker + code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


IMPORT_ALL = (
    "import importlib, pkgutil, dnw_desk\n"
    "names = [m.name for m in pkgutil.walk_packages(dnw_desk.__path__, 'dnw_desk.')\n"
    "         if '.migrations' not in m.name]\n"
)


def test_the_server_runs_without_the_desk_s_stack(tmp_path: Path) -> None:
    code = (
        IMPORT_ALL + "for name in names:\n"
        "    if name.startswith('dnw_desk.server'):\n"
        "        importlib.import_module(name)\n"
        "from dnw_desk.server.app import create_app\n"
        "from dnw_desk.server.cli import main\n"
        "from dnw_desk.server.core.config import Settings\n"
        "from dnw_desk.server.core.db import ServerDatabase\n"
        f"db = ServerDatabase('sqlite:///{tmp_path / 'server.sqlite3'}')\n"
        "db.migrate()\n"
        "create_app(Settings(data_key='" + "A" * 43 + "='), db=db)\n"
        "print('server ok')\n"
    )
    result = _run_without(DESK_ONLY, code)
    assert result.returncode == 0, result.stderr
    assert "server ok" in result.stdout


def test_the_desk_runs_without_the_server_s_stack() -> None:
    """Every desk module imports (the screens, printing, sync, the command line)."""
    code = (
        IMPORT_ALL + "for name in names:\n"
        "    if not name.startswith('dnw_desk.server'):\n"
        "        importlib.import_module(name)\n"
        "from dnw_desk.cli import build_parser\n"
        "build_parser()\n"
        "print('desk ok')\n"
    )
    result = _run_without(SERVER_ONLY, code)
    assert result.returncode == 0, result.stderr
    assert "desk ok" in result.stdout
