"""Calendar releases on the server: `dnw-server calendar publish/list/key`, the signing key, and
the route desks pull them from (docs/calendar-override.md#from-the-server)."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from dnw_desk.contract.wire import (
    CALENDAR_KEY_PATH,
    CALENDAR_PATH,
    CalendarKey,
    CalendarRelease,
    calendar_signed_bytes,
)
from dnw_desk.domain.calendar_override import OverrideError
from dnw_desk.server.calendar_releases import ensure_signing_key, public_key, publish
from dnw_desk.server.cli import main as server_main
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase
from tests.server.conftest import Credentials

OVERRIDE = """\
source = "test notice"
version = "2027.1"
complete_years = [2027]
[[holiday]]
dates = [2027-01-01, 2027-01-02, 2027-01-03, 2027-01-04]
"""


@pytest.fixture
def server_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DNW_SERVER_DATA_DIR", str(tmp_path / "server"))
    monkeypatch.delenv("DNW_DATABASE_URL", raising=False)
    monkeypatch.delenv("DNW_CALENDAR_KEY", raising=False)  # the key file init writes
    return tmp_path / "server"


def test_publish_list_and_key_from_the_command_line(
    server_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server_main(["init"]) == 0
    key_file = server_env / "calendar-signing.key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "Calendar signing key written" in capsys.readouterr().out
    good = tmp_path / "2027.toml"
    good.write_text(OVERRIDE, encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(OVERRIDE.replace("2027-01-04", "2027-02-30"), encoding="utf-8")

    assert server_main(["calendar", "publish", str(broken)]) == 2
    assert "Refused" in capsys.readouterr().err
    assert server_main(["calendar", "publish", str(good), "--by", "admin-li"]) == 0
    assert "release 1 (2027.1" in capsys.readouterr().out
    assert server_main(["calendar", "publish", str(good)]) == 2  # the same content again
    assert "already the latest" in capsys.readouterr().err
    good.write_text(OVERRIDE.replace("2027.1", "2027.2"), encoding="utf-8")
    assert server_main(["calendar", "publish", str(good), "--by", "admin-wang"]) == 0
    capsys.readouterr()

    assert server_main(["calendar", "list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["1", "2027.1"], ["2", "2027.2"]]
    assert "admin-li" in lines[0] and "admin-wang" in lines[1] and "sha256 " in lines[0]
    assert server_main(["calendar", "key"]) == 0
    fingerprint = public_key(Settings()).fingerprint
    assert fingerprint in capsys.readouterr().out
    assert fingerprint[:16] in lines[0]


def test_the_key_is_made_on_first_use_when_init_did_not(tmp_path: Path) -> None:
    settings = Settings(server_data_dir=tmp_path / "s", calendar_key="")
    first = public_key(settings)
    assert (tmp_path / "s" / "calendar-signing.key").exists()
    assert public_key(settings) == first  # kept, not made again
    assert ensure_signing_key(settings) is None


def test_publish_refuses_a_file_that_breaks_the_rules(server_db: ServerDatabase) -> None:
    with server_db.write() as conn, pytest.raises(OverrideError):
        publish(conn, Settings(), "version = 1\n", by="t", now=datetime.now(UTC))


def test_terminals_get_the_latest_signed_release_and_the_key(
    client: TestClient, server_db: ServerDatabase, tokens: Credentials
) -> None:
    headers = tokens.headers(tokens.terminal)
    assert client.get(CALENDAR_PATH).status_code == 401
    assert client.get(CALENDAR_PATH, headers=tokens.headers(tokens.unit)).status_code == 401
    assert client.get(CALENDAR_KEY_PATH).status_code == 401
    assert client.get(CALENDAR_PATH, headers=headers).status_code == 404
    now = datetime.now(UTC)
    with server_db.write() as conn:
        publish(conn, Settings(), OVERRIDE, by="t", now=now)
        publish(conn, Settings(), OVERRIDE.replace("2027.1", "2027.2"), by="t", now=now)
    response = client.get(CALENDAR_PATH, headers=headers)
    assert response.status_code == 200
    release = CalendarRelease.model_validate_json(response.content)
    assert release.seq == 2 and 'version = "2027.2"' in release.text
    key = CalendarKey.model_validate_json(client.get(CALENDAR_KEY_PATH, headers=headers).content)
    assert release.key_fingerprint == key.fingerprint
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
    public.verify(base64.b64decode(release.signature), calendar_signed_bytes(2, release.text))
