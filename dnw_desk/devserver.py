"""``make run`` support: a local dnw-server (SQLite) beside the desk, and the desk enrolled
with it, so register → sync → scan the QR → status page works out of the box.

    python -m dnw_desk.devserver [--data-dir DESK_DATA_DIR] [--port 8765]

Idempotent: reuses a server already answering on the port and an enrolment that still works.
The server runs detached (its own session) and logs to ``server.log`` in its data dir.
It joins the desk's store and sync client with the server, so it lives above both, not in
``server/`` (which imports nothing of the desk's store or sync).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx

from dnw_desk.contract.wire import HEALTH_PATH, WHOAMI_PATH
from dnw_desk.server.core.config import SQLITE_FILENAME, default_data_dir
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.store.database import Database

DEFAULT_PORT = 8765
START_TIMEOUT = 30.0
PID_FILE = "server.pid"


def server_healthy(url: str) -> bool:
    try:
        return httpx.get(url + HEALTH_PATH, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def start_server(server_dir: Path, host: str, port: int) -> subprocess.Popen[bytes]:
    server_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DNW_SERVER_DATA_DIR": str(server_dir),
        "DNW_DATABASE_URL": f"sqlite:///{server_dir / SQLITE_FILENAME}",
    }
    log = (server_dir / "server.log").open("ab")
    command = [sys.executable, "-m", "dnw_desk.server.cli", "serve", "--host", host]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # outlives `make run`'s shell; stop it with server.pid
    )
    (server_dir / PID_FILE).write_text(str(process.pid))
    return process


def _enrolment_works(desk_db: Database, desk_dir: Path, url: str, hall: str, window: str) -> bool:
    """Enrolled with ``url`` by a credential the server still honours, for this hall/window."""
    from dnw_desk.contract.wire import TerminalInfo
    from dnw_desk.sync import state as sync_state
    from dnw_desk.sync.credentials import CredentialStore
    from dnw_desk.sync.enrolment import same_binding

    with desk_db.read() as conn:
        enrolment = sync_state.enrolment(conn)
    if enrolment is None or enrolment.server_url != url:
        return False
    token = CredentialStore(desk_dir).load(enrolment.credential_store)
    if not token:
        return False
    try:
        response = httpx.get(
            url + WHOAMI_PATH, headers={"Authorization": f"Bearer {token}"}, timeout=2.0
        )
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    return same_binding(TerminalInfo.model_validate_json(response.content), hall, window)


def _start_if_down(server_db: ServerDatabase, server_dir: Path, host: str, port: int) -> str:
    url = f"http://{host}:{port}"
    server_db.migrate()
    if server_healthy(url):
        return url
    process = start_server(server_dir, host, port)
    deadline = time.monotonic() + START_TIMEOUT
    while not server_healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            log_file = server_dir / "server.log"
            raise RuntimeError(f"dnw-server did not start on {url}; see {log_file}")
        time.sleep(0.2)
    return url


def enrol_with_local_server(
    desk_db: Database, desk_dir: Path, server_db: ServerDatabase, url: str
) -> bool:
    """Enrol the desk for the hall and window it is configured for (False: not set up yet, so
    there is nothing to bind to). The terminal it held before is revoked on the server."""
    from dnw_desk.server import credentials
    from dnw_desk.services.settings import load_settings
    from dnw_desk.sync import state as sync_state
    from dnw_desk.sync.enrolment import enrol

    settings = load_settings(desk_db)
    if not settings.configured:
        return False
    if _enrolment_works(desk_db, desk_dir, url, settings.hall_code, settings.window_no):
        return True
    with desk_db.read() as conn:
        previous = sync_state.enrolment(conn)
    now = datetime.now(UTC)
    with server_db.write() as conn:
        if previous is not None and previous.server_url == url:
            credentials.revoke_terminal(conn, previous.terminal_id, now)
        _record, token = credentials.add_terminal(
            conn,
            settings.hall_code,
            settings.window_no,
            now,
            label="make run",
            replace=True,  # a terminal the desk lost the token of must stop working
        )
    enrol(desk_db, desk_dir, url, token, hall=settings.hall_code, window=settings.window_no)
    return True


def ensure_local_server(
    desk_dir: Path,
    *,
    server_dir: Path | None = None,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    desk_db: Database | None = None,
) -> tuple[str, bool]:
    """Start (if needed) a local server and enrol the desk with it when it is set up; returns
    the server URL and whether the desk is enrolled. ``desk_db``: the open database of a
    running desk (otherwise the data dir's database is opened here)."""
    from dnw_desk.store.schema import open_database

    server_dir = server_dir or default_data_dir()
    server_db = ServerDatabase(f"sqlite:///{server_dir / SQLITE_FILENAME}")
    try:
        from dnw_desk.server.core.config import Settings
        from dnw_desk.server.sealing import ensure_key

        ensure_key(Settings(server_data_dir=server_dir))
        url = _start_if_down(server_db, server_dir, host, port)
        db = desk_db or open_database(desk_dir)
        try:
            enrolled = enrol_with_local_server(db, desk_dir, server_db, url)
        finally:
            if desk_db is None:
                db.close()
    finally:
        server_db.dispose()
    return url, enrolled


def main(argv: Sequence[str] | None = None) -> int:
    from dnw_desk.paths import default_data_dir as desk_default_dir

    parser = argparse.ArgumentParser(
        prog="python -m dnw_desk.devserver",
        description="Start a local dnw-server beside the desk and enrol the desk with it.",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="the desk's data dir")
    parser.add_argument("--server-data-dir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    desk_dir = args.data_dir or desk_default_dir()
    try:
        url, enrolled = ensure_local_server(
            desk_dir, server_dir=args.server_data_dir, port=args.port
        )
    except Exception as exc:  # make run continues without a server: the desk works offline
        print(f"Local dnw-server not available: {exc}", file=sys.stderr)
        return 1
    if enrolled:
        print(f"Local dnw-server at {url}; the desk in {desk_dir} is enrolled with it.")
    else:
        print(
            f"Local dnw-server at {url}; the desk in {desk_dir} enrols with it once the setup "
            "wizard has chosen its hall and window."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
