"""Shared fixtures: offscreen Qt, a fresh data dir per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnw_desk import i18n
from dnw_desk.paths import resources_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The server's data key (personal data at rest) for every test server, in process or not.
os.environ.setdefault("DNW_DATA_KEY", "dXMal5TltS7O9lBQrFkE9WeEOI11Xcp3X4xP4W4CzCs=")
# The server's calendar signing key (Ed25519, raw, base64), so no test writes a key file into
# the user's data dir.
os.environ.setdefault("DNW_CALENDAR_KEY", "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")


def pytest_configure(config: pytest.Config) -> None:
    """The compiled catalogues the desk reads (``make`` compiles them; a bare ``pytest`` in a
    fresh checkout has none yet, or older than their ``.po``): compiled here, then reread."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in resources_dir().glob("locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parts[-3])
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo_path)
    i18n.translations.cache_clear()
    i18n.set_language(i18n.current_language())


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary data dir, also exported as DNW_DATA_DIR for subprocesses."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("DNW_DATA_DIR", str(path))
    return path


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English (the msgids), for tests that assert them; zh_CN is the default."""
    previous = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(previous)


@pytest.fixture(scope="session", autouse=True)
def one_qapplication(qapp: object) -> object:
    """Create the QApplication before anything else can create a bare QGuiApplication (the
    printing code's ensure_qt does, outside the desk): a later widget would then abort Qt."""
    return qapp
