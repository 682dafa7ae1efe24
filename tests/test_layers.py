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
