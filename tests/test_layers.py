"""The layer rule of DESIGN §10: the core never loads Qt (checked in a clean interpreter so a
transitive import is caught too)."""

from __future__ import annotations

import subprocess
import sys

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
