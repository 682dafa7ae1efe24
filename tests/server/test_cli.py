from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from dnw_desk.server.cli import main as server_main
from dnw_desk.server.devserver import PID_FILE, ensure_local_server, server_healthy
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
    assert server_main(["units", "add", "省公安厅"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("dnwu_")
    assert server_main(["units", "add", "省政务服务平台", "--platform"]) == 0
    assert server_main(["terminals", "revoke", "1"]) == 0
    assert server_main(["terminals", "revoke", "1"]) == 1
    capsys.readouterr()
    assert server_main(["terminals", "list"]) == 0
    listing = capsys.readouterr().out
    assert "revoked" in listing and token not in listing
    assert server_main(["units", "list"]) == 0
    assert "platform" in capsys.readouterr().out


@pytest.mark.slow
def test_devserver_starts_a_server_and_enrols_the_desk(server_env: Path, data_dir: Path) -> None:
    port = free_port()
    url = ensure_local_server(data_dir, server_dir=server_env, port=port)
    pid = int((server_env / PID_FILE).read_text())
    try:
        assert server_healthy(url)
        db = open_database(data_dir)
        with db.read() as conn:
            enrolment = sync_state.enrolment(conn)
        db.close()
        assert enrolment is not None and enrolment.server_url == url
        # A second call reuses both the server and the enrolment.
        assert ensure_local_server(data_dir, server_dir=server_env, port=port) == url
        assert int((server_env / PID_FILE).read_text()) == pid
        assert httpx.get(f"{url}/status").status_code == 200
    finally:
        os.kill(pid, signal.SIGTERM)
        for _attempt in range(100):  # reap our child, bounded
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            time.sleep(0.1)
