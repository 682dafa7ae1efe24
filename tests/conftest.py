"""Shared fixtures: offscreen Qt, a fresh data dir per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary data dir, also exported as DNW_DATA_DIR for subprocesses."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("DNW_DATA_DIR", str(path))
    return path
