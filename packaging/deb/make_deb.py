"""Wrap the PyInstaller build (``dist/dnw-desk/``) into a Debian package for the counter PCs.

Kylin and UOS are Debian-family: the package puts the desk in ``/opt/dnw-desk``, a
``dnw-desk`` launcher on PATH, a menu entry with its icon, and the udev rule that lets the
desk's user reach USB and serial receipt printers. Built with ``dpkg-deb`` alone:

    python packaging/deb/make_deb.py [--build dist/dnw-desk] [--out dist]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "dnw-desk"
INSTALL_DIR = Path("opt") / PACKAGE
# The Qt xcb platform's runtime libraries (what PyInstaller does not bundle) and fonts for the
# Chinese UI; the same list .ci/run installs for the tests.
DEPENDS = (
    "libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, "
    "libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, "
    "libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1, libglib2.0-0"
)
DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=dnw-desk
Name[zh_CN]=办不成事反映窗口
GenericName=Complaint window desk
GenericName[zh_CN]=“办不成事”反映窗口终端
Comment=Register could-not-get-it-done complaints and print their receipts
Comment[zh_CN]=登记“办不成事”反映事项并打印回执
Exec=dnw-desk
Icon=dnw-desk
Terminal=false
Categories=Office;
StartupWMClass=dnw-desk
"""
LAUNCHER = """#!/bin/sh
exec /opt/dnw-desk/dnw-desk "$@"
"""


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from dnw_desk import __version__

    return __version__


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def control(version: str, arch: str, installed_kib: int) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: dnw-desk developers <dnw-desk@localhost>\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {DEPENDS}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Description: window terminal for could-not-get-it-done complaints\n"
        " Registers complaints at a government service hall's window, prints their\n"
        " receipts on the counter's thermal printer and syncs them to the central server.\n"
    )


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)


def stage(build: Path, root: Path, version: str, arch: str) -> None:
    """The package's file tree under ``root`` (``DEBIAN/`` included)."""
    shutil.copytree(build, root / INSTALL_DIR, symlinks=True)
    _write(root / "usr/bin" / PACKAGE, LAUNCHER, 0o755)
    _write(root / "usr/share/applications" / f"{PACKAGE}.desktop", DESKTOP_ENTRY)
    icon = root / "usr/share/icons/hicolor/scalable/apps" / f"{PACKAGE}.svg"
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "resources/icons/dnw-desk.svg", icon)
    rule = ROOT / "resources/udev/70-dnw-desk-receipt-printers.rules"
    (root / "lib/udev/rules.d").mkdir(parents=True, exist_ok=True)
    shutil.copy2(rule, root / "lib/udev/rules.d" / rule.name)
    size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file() and not f.is_symlink())
    _write(root / "DEBIAN/control", control(version, arch, max(1, size // 1024)))


def build_deb(build: Path, out: Path, version: str, arch: str) -> Path:
    if not (build / PACKAGE).is_file():
        raise SystemExit(f"No PyInstaller build in {build}: run `make dist` first.")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{PACKAGE}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        stage(build, root, version, arch)
        subprocess.run(
            # gzip: fast to build on a CI runner and read by every dpkg (Kylin and UOS ship
            # older ones than zstd needs).
            ["dpkg-deb", "-Zgzip", "--build", "--root-owner-group", str(root), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "dist" / PACKAGE)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    print(build_deb(args.build, args.out, version(), architecture()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
