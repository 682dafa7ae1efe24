from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from dnw_desk.devserver import PID_FILE, ensure_local_server, server_healthy
from dnw_desk.server import credentials
from dnw_desk.server.cli import main as server_main
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.services.settings import load_settings, save_settings
from dnw_desk.store.schema import open_database
from dnw_desk.sync import state as sync_state
from tests.sync.conftest import free_port


@pytest.fixture
def server_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DNW_SERVER_DATA_DIR", str(tmp_path / "server"))
    monkeypatch.delenv("DNW_DATABASE_URL", raising=False)
    monkeypatch.setenv("DNW_CREDENTIAL_STORE", "file")  # never touch the developer's keyring
    return tmp_path / "server"


def test_init_terminals_and_units(server_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="init"):
        server_main(["terminals", "list"])
    assert server_main(["init"]) == 0
    assert (server_env / "dnw-server.sqlite3").exists()
    assert server_main(["init"]) == 0  # idempotent
    capsys.readouterr()
    assert server_main(["terminals", "add", "--hall", "ah", "--window", "8"]) == 0
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    assert token.startswith("dnwt_") and len(token) > 40
    assert "AH/08" in out
    assert server_main(["terminals", "add", "--hall", "A-1", "--window", "8"]) == 2
    assert server_main(["units", "add", "省公安厅"]) == 2  # a unit serves named halls
    assert "--hall" in capsys.readouterr().err
    assert server_main(["units", "add", "省公安厅", "--hall", "ah", "--hall", "HF"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("dnwu_")
    assert server_main(["units", "add", "省政务服务平台", "--platform"]) == 0
    assert server_main(["terminals", "revoke", "1"]) == 0
    assert server_main(["terminals", "revoke", "1"]) == 1
    capsys.readouterr()
    assert server_main(["terminals", "list"]) == 0
    listing = capsys.readouterr().out
    assert "revoked" in listing and token not in listing
    assert server_main(["units", "list"]) == 0
    listing = capsys.readouterr().out
    assert "platform" in listing and "AH,HF" in listing


def test_halls_set_and_list(server_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert server_main(["init"]) == 0
    assert server_main(["halls", "set", "hf", "  合肥市政务服务中心 "]) == 0
    assert "HF" in capsys.readouterr().out
    assert server_main(["halls", "set", "A-1", "某中心"]) == 2
    assert "A-1" in capsys.readouterr().err
    assert server_main(["halls", "set", "HF", "x" * 65]) == 2
    assert server_main(["halls", "list"]) == 0
    assert capsys.readouterr().out.strip() == "HF\t合肥市政务服务中心\tnamed by admin"


def _configure(data_dir: Path, hall: str, window: str) -> None:
    db = open_database(data_dir)
    try:
        settings = replace(load_settings(db), hall_code=hall, window_no=window, configured=True)
        save_settings(db, settings, actor="setup:admin", now=datetime.now(UTC))
    finally:
        db.close()


def _enrolment(data_dir: Path) -> sync_state.Enrolment | None:
    db = open_database(data_dir)
    try:
        with db.read() as conn:
            return sync_state.enrolment(conn)
    finally:
        db.close()


@pytest.mark.slow
def test_devserver_enrols_the_desk_for_the_window_it_is_set_up_for(
    server_env: Path, data_dir: Path
) -> None:
    """make run before the setup wizard must not bind the desk to the default AH/08; after
    the wizard (HF/03) it enrols for HF/03, and after an admin moves the desk, again."""
    port = free_port()
    url, enrolled = ensure_local_server(data_dir, server_dir=server_env, port=port)
    pid = int((server_env / PID_FILE).read_text())
    try:
        assert server_healthy(url)
        assert not enrolled and _enrolment(data_dir) is None

        _configure(data_dir, "HF", "03")
        assert ensure_local_server(data_dir, server_dir=server_env, port=port) == (url, True)
        first = _enrolment(data_dir)
        assert first is not None and (first.hall, first.window) == ("HF", "03")
        # A second call reuses both the server and the enrolment.
        assert ensure_local_server(data_dir, server_dir=server_env, port=port) == (url, True)
        assert int((server_env / PID_FILE).read_text()) == pid
        assert _enrolment(data_dir) == first

        _configure(data_dir, "SZ", "05")
        ensure_local_server(data_dir, server_dir=server_env, port=port)
        moved = _enrolment(data_dir)
        assert moved is not None and (moved.hall, moved.window) == ("SZ", "05")
        server_db = ServerDatabase(f"sqlite:///{server_env / 'dnw-server.sqlite3'}")
        with server_db.read() as conn:
            by_id = {t.id: t for t in credentials.list_terminals(conn)}
        server_db.dispose()
        assert by_id[first.terminal_id].revoked_at is not None  # the old window's credential
        assert by_id[moved.terminal_id].revoked_at is None
        assert httpx.get(f"{url}/status").status_code == 200
    finally:
        os.kill(pid, signal.SIGTERM)
        for _attempt in range(100):  # reap our child, bounded
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            time.sleep(0.1)
