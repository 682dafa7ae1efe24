"""Shared fixtures: offscreen Qt, a fresh data dir per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnw_desk import i18n

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The server's data key (personal data at rest) for every test server, in process or not.
os.environ.setdefault("DNW_DATA_KEY", "dXMal5TltS7O9lBQrFkE9WeEOI11Xcp3X4xP4W4CzCs=")


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
