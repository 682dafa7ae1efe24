"""The Debian package for the counter PCs: what it installs and where (built from a stand-in
for the PyInstaller output; CI installs the real one)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _make_deb() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_deb", ROOT / "packaging/deb/make_deb.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def dpkg_deb() -> str:
    found = shutil.which("dpkg-deb")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("dpkg-deb is required when CI=true")
        pytest.skip("dpkg-deb is not installed")
    return found


def test_the_package_installs_the_desk_a_launcher_a_menu_entry_and_the_printer_rule(
    tmp_path: Path, dpkg_deb: str
) -> None:
    build = tmp_path / "dist" / "dnw-desk"
    (build / "_internal").mkdir(parents=True)
    (build / "dnw-desk").write_text("#!/bin/sh\necho desk\n")
    (build / "dnw-desk").chmod(0o755)
    make_deb = _make_deb()
    deb = make_deb.build_deb(build, tmp_path / "out", "1.2.3", "amd64")
    assert deb.name == "dnw-desk_1.2.3_amd64.deb"

    def field(name: str) -> str:
        return subprocess.run(
            [dpkg_deb, "-f", str(deb), name], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert field("Package") == "dnw-desk" and field("Version") == "1.2.3"
    assert "libxcb-cursor0" in field("Depends")
    listing = subprocess.run(
        [dpkg_deb, "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./opt/dnw-desk/dnw-desk",
        "./usr/bin/dnw-desk",
        "./usr/share/applications/dnw-desk.desktop",
        "./usr/share/icons/hicolor/scalable/apps/dnw-desk.svg",
        "./lib/udev/rules.d/70-dnw-desk-receipt-printers.rules",
    ):
        assert path in listing, path
    assert "root/root" in listing  # owned by root whoever built it
    launcher = [line for line in listing.splitlines() if line.endswith("./usr/bin/dnw-desk")]
    assert launcher[0].startswith("-rwxr-xr-x")


def test_without_a_build_it_says_what_to_run_first(tmp_path: Path, dpkg_deb: str) -> None:
    with pytest.raises(SystemExit, match="make dist"):
        _make_deb().build_deb(tmp_path / "missing", tmp_path / "out", "1.0", "amd64")
