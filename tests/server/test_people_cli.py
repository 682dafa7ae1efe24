"""``dnw-server users …`` and ``offices …``: passwords on stdin, units by id, clear refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dnw_desk.server.cli import main as server_main


@pytest.fixture
def initialised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DNW_SERVER_DATA_DIR", str(tmp_path / "server"))
    monkeypatch.delenv("DNW_DATABASE_URL", raising=False)
    assert server_main(["init"]) == 0
    return tmp_path


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_users_and_offices(
    initialised: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server_main(["units", "add", "市市场监管局", "--hall", "AH"]) == 0
    assert "unit 1" in capsys.readouterr().out
    _stdin(monkeypatch, "a long enough password\n")
    add = ["users", "add", "wang", "--role", "unit", "--unit", "1", "--password-stdin"]
    assert server_main([*add, "--name", "王联络"]) == 0
    assert "市市场监管局" in capsys.readouterr().out
    _stdin(monkeypatch, "short\n")
    assert server_main(["users", "add", "li", "--role", "office", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err
    _stdin(monkeypatch, "a long enough password\n")
    no_unit = ["users", "add", "zhao", "--role", "unit", "--password-stdin"]
    assert server_main(no_unit) == 2
    assert "--unit" in capsys.readouterr().err
    _stdin(monkeypatch, "a long enough password\n")
    assert server_main(["users", "add", "wang", "--role", "admin", "--password-stdin"]) == 2
    assert "taken" in capsys.readouterr().err
    assert server_main(["users", "disable", "wang"]) == 0
    assert server_main(["users", "list"]) == 0
    assert "wang\t王联络" in capsys.readouterr().out and "disabled"
    _stdin(monkeypatch, "a new long password\n")
    assert server_main(["users", "reset", "wang", "--password-stdin"]) == 0
    assert server_main(["offices", "add", "省效能办"]) == 0
    out = capsys.readouterr().out
    assert "the province" in out and out.strip().splitlines()[-1].startswith("dnwo_")
    assert server_main(["offices", "add", "合肥效能办", "--hall", "hf"]) == 0
    assert "hall HF" in capsys.readouterr().out
    assert server_main(["offices", "revoke", "1"]) == 0
    assert server_main(["offices", "revoke", "1"]) == 1
