"""The layer rule of docs/architecture.md#layers: the core never loads Qt (checked in a clean
interpreter so a transitive import is caught too)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

CORE = [
    "dnw_desk.domain.case",
    "dnw_desk.domain.registration",
    "dnw_desk.domain.validation",
    "dnw_desk.domain.deadlines",
    "dnw_desk.store.schema",
    "dnw_desk.store.cases_repo",
    "dnw_desk.store.registry",
    "dnw_desk.services.desk",
    "dnw_desk.services.cases",
    "dnw_desk.services.demo_data",
]


@pytest.mark.parametrize("extra", [[], ["dnw_desk.reports", "dnw_desk.sync", "dnw_desk.server"]])
def test_core_packages_do_not_load_qt(extra: list[str]) -> None:
    modules = CORE + extra
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def test_domain_does_not_load_sqlalchemy() -> None:
    code = (
        "import sys, dnw_desk.domain.case, dnw_desk.domain.registration, "
        "dnw_desk.domain.deadlines, dnw_desk.domain.alerts, dnw_desk.domain.validation, "
        "dnw_desk.domain.accountability, dnw_desk.domain.event_types\n"
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


# What a module needs to touch files; the domain takes text and values, the store reads them.
FILE_IO = re.compile(
    r"\bopen\(|\bpathlib\b|\bimport os\b|\bshutil\b|\batomic_file\b"
    r"|\.(read|write)_(text|bytes)\(|\.unlink\(|\.mkdir\("
)


def test_domain_does_no_file_io() -> None:
    domain = Path(__file__).resolve().parents[1] / "dnw_desk" / "domain"
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(domain.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FILE_IO.search(line)
    ]
    assert not found, "file I/O belongs in store/:\n" + "\n".join(found)


def test_nothing_imports_the_composition_root() -> None:
    """``app.py`` is the top: the screens, the screenshot script and the commands build a desk
    through ``ui/screens.py``, so a change to start-up touches nothing below it."""
    package = Path(__file__).resolve().parents[1] / "dnw_desk"
    upward = re.compile(r"from dnw_desk\.app import|import dnw_desk\.app\b")
    found = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path.name != "cli.py" and upward.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# Queries live in store/: the use cases and the screens may name a Connection (to pass the
# caller's transaction on), never build or run a statement, nor reach the tables themselves.
QUERY_LAYERS = ("services", "ui", "reports")
ALLOWED_FROM_SQLALCHEMY = {"Connection", "Engine"}
SQLALCHEMY_IMPORT = re.compile(r"^\s*from sqlalchemy(?P<module>[\w.]*) import (?P<names>[^\n]+)")
RUNS_SQL = re.compile(
    r"^\s*import sqlalchemy\b|\.execute\(|\.exec_driver_sql\(|\.scalars?\(\)"
    r"|from dnw_desk\.store\.(?:tables|review_tables|sync_state) import (?!to_utc_text\b)"
)


def _query_code(path: Path) -> list[str]:
    found = []
    text = path.read_text(encoding="utf-8")
    # One logical line per parenthesised import, so every imported name is seen.
    text = re.sub(r"import \(([^)]*)\)", lambda m: "import " + " ".join(m[1].split()), text)
    for number, line in enumerate(text.splitlines(), 1):
        imported = SQLALCHEMY_IMPORT.match(line)
        if imported:
            names = {part.split(" as ")[0].strip() for part in imported["names"].split(",")}
            names.discard("")
            if imported["module"] or names - ALLOWED_FROM_SQLALCHEMY:
                found.append(f"{path.name}:{number}: {line.strip()}")
        elif RUNS_SQL.search(line):
            found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_queries_live_in_the_store() -> None:
    package = Path(__file__).resolve().parents[1] / "dnw_desk"
    found = [
        f"{layer}/{hit}"
        for layer in QUERY_LAYERS
        for path in sorted((package / layer).rglob("*.py"))
        for hit in _query_code(path)
    ]
    assert not found, "build SQL in a store/ module and call it:\n" + "\n".join(found)


def test_the_query_check_sees_a_query(tmp_path: Path) -> None:
    module = tmp_path / "use_case.py"
    module.write_text(
        "from sqlalchemy import (\n    Connection,\n    select,\n)\n"
        "from sqlalchemy.dialects.sqlite import insert\n"
        "rows = conn.execute(query)\n",
        encoding="utf-8",
    )
    assert len(_query_code(module)) == 3
    module.write_text("from sqlalchemy import Connection\n", encoding="utf-8")
    assert _query_code(module) == []
