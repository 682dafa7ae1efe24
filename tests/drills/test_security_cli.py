"""Issue findings 8–13: bad input at the command line gets a clear message and an exit code,
never a traceback; files read from users are capped; nothing creates directories silently;
one terminal per hall and window; a failed export is audited as failed.

Root ignores permission bits (CI runs as root), so a read-only directory is what the OS check
says it is (as in test_store_faults), and a full disk is a file that points at /dev/full.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.cli import main
from dnw_desk.server.cli import main as server_main
from dnw_desk.store.database import DB_FILENAME
from dnw_desk.store.schema import BACKUP_DIR, open_database
from dnw_desk.store.tables import audit_log
from tests.factories import desk_at, register

pytestmark = pytest.mark.usefixtures("english")


def desk(data_dir: Path, *argv: str) -> int:
    return main(["--data-dir", str(data_dir), *argv])


def read_only(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    real_access = os.access

    def access(path: str | Path, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and any(Path(path) == p for p in paths):
            return False
        return real_access(path, mode)

    monkeypatch.setattr(os, "access", access)


def full_disk_at(path: Path) -> None:
    """Writing ``path`` now fails with ENOSPC, as on a full disk."""
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/full")


def with_a_case(data_dir: Path) -> None:
    opened, _clock = desk_at(data_dir)
    register(opened)
    opened.close()


# -- 8: clear messages instead of tracebacks ------------------------------------------------


def test_sync_once_with_a_data_dir_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert desk(blocker, "sync", "--once") == 4
    assert "Cannot create the data directory" in capsys.readouterr().err


def test_sync_once_with_an_uncreatable_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert desk(blocker / "data", "sync", "--once") == 4
    assert "Cannot create the data directory" in capsys.readouterr().err


def test_sync_once_with_a_read_only_data_dir(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    read_only(monkeypatch, data_dir)
    assert desk(data_dir, "sync", "--once") == 4
    assert "read-only" in capsys.readouterr().err


def test_audit_verify_on_a_read_only_data_dir_still_verifies(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_a_case(data_dir)
    read_only(monkeypatch, data_dir, data_dir / DB_FILENAME)
    assert desk(data_dir, "audit", "verify") == 0
    assert "audit chain ok" in capsys.readouterr().out


def _schema_less(data_dir: Path) -> None:
    # What a kill during the very first creation leaves: a file, WAL on, no tables yet.
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def test_audit_verify_and_db_check_on_a_schema_less_database(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _schema_less(data_dir)
    assert desk(data_dir, "audit", "verify") == 2
    assert "no schema" in capsys.readouterr().err
    assert desk(data_dir, "db", "check") == 1
    out = capsys.readouterr().out
    assert "schema None" not in out and "no schema" in out


def test_db_backup_on_a_read_only_data_dir(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_a_case(data_dir)
    read_only(monkeypatch, data_dir)
    assert desk(data_dir, "db", "backup") == 1
    assert "read-only" in capsys.readouterr().err


def test_db_backup_on_a_full_disk_leaves_no_partial_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from types import SimpleNamespace

    from dnw_desk.store import schema

    with_a_case(data_dir)

    class FullDisk:
        """The database being copied, onto a disk that fills up during the copy."""

        def __init__(self, path: object) -> None:
            self.real = sqlite3.connect(path)  # type: ignore[arg-type]

        def backup(self, _target: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            self.real.close()

    def connect(path: object) -> object:
        return sqlite3.connect(path) if str(path).endswith(".partial") else FullDisk(path)  # type: ignore[arg-type]

    fake = SimpleNamespace(**{**vars(sqlite3), "connect": connect})
    monkeypatch.setattr(schema, "sqlite3", fake)
    assert desk(data_dir, "db", "backup") == 1
    assert "disk is full" in capsys.readouterr().err
    assert list((data_dir / BACKUP_DIR).iterdir()) == []


@pytest.mark.parametrize("kind", ["missing", "directory", "binary", "huge"])
def test_enrol_with_a_bad_token_file(
    data_dir: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file = tmp_path / "token"
    if kind == "directory":
        token_file.mkdir()
    elif kind == "binary":
        token_file.write_bytes(bytes(range(256)))
    elif kind == "huge":
        token_file.write_text("dnwt_" + "a" * 100_000)
    server = "http://127.0.0.1:9"
    assert desk(data_dir, "enrol", "--server", server, "--token-file", str(token_file)) == 2
    assert str(token_file) in capsys.readouterr().err


def test_demo_data_on_a_full_disk(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full_disk_at(data_dir / "dnw-desk.pid")
    assert desk(data_dir, "demo-data", "--cases", "1") == 1
    assert "No space left on device" in capsys.readouterr().err


def test_calendar_import_on_a_full_disk(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dnw_desk.paths import resource_path

    full_disk_at(data_dir / "dnw-desk.pid")
    example = resource_path("calendar", "override-example.toml")
    assert desk(data_dir, "calendar", "import", str(example)) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Nothing was changed" in err


@pytest.fixture
def server_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str) -> Path:
    from tests.server.conftest import fresh_database

    monkeypatch.setenv("DNW_SERVER_DATA_DIR", str(tmp_path / "server"))
    db = fresh_database(backend, tmp_path / "server")
    db.dispose()
    monkeypatch.setenv("DNW_DATABASE_URL", db.url)
    return tmp_path / "server"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_server_refuses_over_long_names_and_labels(
    server_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server_main(["units", "add", "单" * 200]) == 2
    assert "128" in capsys.readouterr().err
    assert (
        server_main(["terminals", "add", "--hall", "AH", "--window", "8", "--label", "x" * 100])
        == 2
    )
    assert "64" in capsys.readouterr().err


# -- 9: files read from users are capped ----------------------------------------------------


def test_calendar_import_of_an_endless_file_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert desk(data_dir, "calendar", "import", "/dev/zero") == 1
    assert "larger than" in capsys.readouterr().err


# -- 10: a read-only database is not "damaged" ----------------------------------------------


def test_db_check_on_a_read_only_data_dir_says_read_only(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_a_case(data_dir)
    read_only(monkeypatch, data_dir, data_dir / DB_FILENAME)
    assert desk(data_dir, "db", "check") == 3
    out = capsys.readouterr().out
    assert "READ-ONLY" in out and "DAMAGED" not in out and "ok" in out


# -- 11: no silent mkdir --------------------------------------------------------------------


def test_export_to_a_missing_directory_is_refused(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_a_case(data_dir)
    out = tmp_path / "nonexistent" / "dir" / "x.xlsx"
    args = ["export", "ledger", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)]
    assert desk(data_dir, *args) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()


def test_receipt_to_a_missing_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nonexistent" / "x.png"
    assert main(["receipt", "--sample", "--png", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()


# -- 12: one active terminal per hall and window --------------------------------------------


def test_a_second_terminal_for_the_same_window_needs_replace(
    server_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server_main(["terminals", "add", "--hall", "AH", "--window", "8"]) == 0
    assert server_main(["terminals", "add", "--hall", "ah", "--window", "08"]) == 2
    assert "--replace" in capsys.readouterr().err
    assert server_main(["terminals", "add", "--hall", "AH", "--window", "8", "--replace"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert server_main(["terminals", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[2].split()[0] for line in listing] == ["revoked", "active"]


# -- 13: a failed export is audited as failed -----------------------------------------------


def test_a_failed_export_is_audited_as_failed(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_a_case(data_dir)
    out = tmp_path / "ledger.csv"
    from dnw_desk.reports import progress

    def no_space(_src: object, _dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress.os, "replace", no_space)
    args = ["export", "ledger", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)]
    assert desk(data_dir, *args) == 1
    db = open_database(data_dir)
    try:
        with db.read() as conn:
            last = conn.execute(select(audit_log).order_by(audit_log.c.id.desc())).first()
    finally:
        db.close()
    assert last is not None
    assert last.action == "export.failed"
    assert "No space left on device" in last.detail["error"]
    assert not out.exists()
