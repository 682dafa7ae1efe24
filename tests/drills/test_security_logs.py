"""Issue finding 3: the server's log carries neither verification codes nor personal data,
after the leaky scenario has run through a real ``dnw-server serve`` (status lookups, Open311,
pushes and feedback, bad input)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from dnw_desk.server import credentials
from dnw_desk.server.core.config import SQLITE_FILENAME
from dnw_desk.server.core.db import ServerDatabase
from tests.drills.security_scenario import personal_data_in, public_urls, publish_leaky_case
from tests.drills.server_process import running_server
from tests.server.conftest import UNIT, Credentials


def _credentials(server_dir: Path) -> Credentials:
    db = ServerDatabase(f"sqlite:///{server_dir / SQLITE_FILENAME}")
    now = datetime.now(UTC)
    try:
        with db.write() as conn:
            terminal, token = credentials.add_terminal(conn, "AH", "08", now)
            _unit, unit = credentials.add_unit(conn, UNIT, now, halls=["AH"])
    finally:
        db.dispose()
    return Credentials(token, terminal.id, "", unit, "", "")


def test_the_log_has_no_code_and_no_personal_data(tmp_path: Path, data_dir: Path) -> None:
    server_dir = tmp_path / "server"
    with running_server(server_dir) as (url, log):
        tokens = _credentials(server_dir)
        with httpx.Client(base_url=url, timeout=10) as http:
            case = publish_leaky_case(http, tokens, data_dir)  # type: ignore[arg-type]
            for path in public_urls(case):
                assert http.get(path).status_code in (200, 404), path
            # Bad input that names personal data must not be echoed into the log either.
            http.post("/api/v1/feedback", json={"case_no": "13912345678", "by": "王小明"})
            http.get("/status/lookup", params={"number": "340104199001011239", "code": "x"})
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "GET /status" in text  # the access log is on: the test reads real lines
    assert case.verification_code not in text
    assert [line for line in text.splitlines() if personal_data_in(line)] == []
