"""A real ``dnw-server serve`` in its own process on 127.0.0.1 (SQLite in a temp dir), for
what only the real command shows: uvicorn's proxy-header handling, its workers, its log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.sync.conftest import free_port

START_TIMEOUT_S = 60


@contextmanager
def running_server(
    server_dir: Path, args: Sequence[str] = (), env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """Yields the base URL and the file that collects the server's stdout and stderr."""
    environment = {**os.environ, "DNW_SERVER_DATA_DIR": str(server_dir), **(env or {})}
    environment.pop("DNW_DATABASE_URL", None)
    environment.pop("FORWARDED_ALLOW_IPS", None)
    command = [sys.executable, "-m", "dnw_desk.server.cli"]
    subprocess.run([*command, "init"], env=environment, check=True, capture_output=True)
    port = free_port()
    log = server_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), *args],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dnw-server did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.1)
        yield url, log
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
