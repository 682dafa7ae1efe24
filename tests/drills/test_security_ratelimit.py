"""Issue finding 2: the status page's rate limit cannot be bypassed with X-Forwarded-For,
holds across worker processes, and a case number locks after repeated wrong codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dnw_desk.domain.numbering import format_case_number
from dnw_desk.server.app import create_app
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.core.ratelimit import StatusLimiter
from tests.drills.security_scenario import publish_leaky_case
from tests.drills.server_process import running_server
from tests.server.conftest import Credentials, backend, client, server_db, tokens

__all__ = ["backend", "client", "server_db", "tokens"]

GUESSES = 40
# Well formed (its check letter is right) but registered nowhere.
UNKNOWN = "/status/" + format_case_number("AH", "08", date(2026, 11, 24), 999)


def _guess(i: int) -> str:
    # Not a well-formed number, so the per-number lockout stays out of these counts.
    return f"/status/GUESS{i}"


def _answered(url: str, headers_for: dict[int, dict[str, str]] | None = None) -> int:
    """How many of GUESSES lookups (each from a different forwarded address) got an answer."""
    answered = 0
    with httpx.Client(base_url=url, timeout=10) as http:
        for i in range(GUESSES):
            forwarded = {"X-Forwarded-For": f"10.0.{i // 250}.{i % 250 + 1}"}
            reply = http.get(_guess(i), params={"code": f"C{i:05d}"}, headers=forwarded)
            answered += reply.status_code != 429
    return answered


def test_forwarded_for_does_not_buy_more_guesses_by_default(tmp_path: Path) -> None:
    env = {"DNW_STATUS_BURST": "5", "DNW_STATUS_RATE_PER_MINUTE": "1"}
    with running_server(tmp_path / "server", env=env) as (url, _log):
        answered = _answered(url)
    # Every request comes from 127.0.0.1, whatever the header claims: one bucket.
    assert answered <= 6


def test_forwarded_for_is_honoured_from_a_named_proxy(tmp_path: Path) -> None:
    env = {"DNW_STATUS_BURST": "5", "DNW_STATUS_RATE_PER_MINUTE": "1"}
    args = ["--forwarded-allow-ips", "127.0.0.1"]
    with running_server(tmp_path / "server", args, env=env) as (url, _log):
        answered = _answered(url)
    # Behind a proxy the admin named, the header names the client: one bucket per address.
    assert answered == GUESSES


def test_the_limit_holds_across_workers(tmp_path: Path) -> None:
    env = {"DNW_STATUS_BURST": "5", "DNW_STATUS_RATE_PER_MINUTE": "1"}
    with running_server(tmp_path / "server", ["--workers", "2"], env=env) as (url, _log):
        answered = 0
        for i in range(GUESSES):  # a new connection each time, so both workers take some
            reply = httpx.get(f"{url}{_guess(i)}", params={"code": f"C{i:05d}"}, timeout=10)
            answered += reply.status_code != 429
    assert answered <= 6


def test_two_limiters_on_one_database_share_the_budget(server_db: ServerDatabase) -> None:
    settings = Settings(status_burst=3, status_rate_per_minute=1)
    first, second = StatusLimiter(server_db, settings), StatusLimiter(server_db, settings)
    allowed = [limiter.allow_client("10.0.0.1") for limiter in (first, second) * 3]
    assert allowed == [True, True, True, False, False, False]


def test_a_case_number_locks_after_repeated_wrong_codes_from_any_address(
    server_db: ServerDatabase, tokens: Credentials, data_dir: Path
) -> None:
    settings = Settings(status_burst=1000, status_case_failures=5)
    app = create_app(settings, db=server_db)
    with TestClient(app) as http:
        case = publish_leaky_case(http, tokens, data_dir)
        page = f"/status/{case.number}"
        codes = [
            http.get(
                page, params={"code": f"BAD{i:03d}"}, headers={"X-Forwarded-For": f"10.0.0.{i}"}
            ).status_code
            for i in range(8)
        ]
        assert codes == [404] * 5 + [429] * 3
        # Locked: even the right code waits, so guessing cannot continue from new addresses.
        right = http.get(page, params={"code": case.verification_code})
        assert right.status_code == 429
        assert "wrong verification codes" in http.get(page, params={"lang": "en"}).text
        # An unknown number locks the same way, so the lockout reveals nothing.
        unknown = [http.get(UNKNOWN, params={"code": "BAD"}).status_code for _ in range(7)]
        assert unknown == [404] * 5 + [429] * 2


@pytest.mark.parametrize("wrong", [0, 4])
def test_fewer_wrong_codes_do_not_lock(
    server_db: ServerDatabase, tokens: Credentials, data_dir: Path, wrong: int
) -> None:
    app = create_app(Settings(status_burst=1000, status_case_failures=5), db=server_db)
    with TestClient(app) as http:
        case = publish_leaky_case(http, tokens, data_dir)
        for _ in range(wrong):
            http.get(f"/status/{case.number}", params={"code": "BAD000"})
        right = http.get(f"/status/{case.number}", params={"code": case.verification_code})
        assert right.status_code == 200
