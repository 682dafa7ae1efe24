"""``dnw-desk setup``: the first-run wizard's result without a screen, with the same checks and
messages, refusing a set-up data dir unless --force, enrolling in the same step."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.cli import main
from dnw_desk.domain.roles import Role
from dnw_desk.local_settings import load_local_settings
from dnw_desk.services.accounts import AccountService
from dnw_desk.services.desk import open_desk
from dnw_desk.services.setup import is_set_up
from dnw_desk.store.tables import audit_log
from dnw_desk.sync import state as sync_state
from tests.sync.conftest import LiveServer, Tokens, live_server, server_tokens  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

PASSWORD = "s3cret-pass"


def setup(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    *extra: str,
    password: str = PASSWORD,
    hall: str = "hf",
    window: str = "03",
) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(
        [
            "--data-dir",
            str(data_dir),
            "setup",
            "--hall",
            hall,
            "--window",
            window,
            "--hall-name",
            "合肥市政务服务中心",
            "--admin",
            "root",
            "--admin-no",
            "0800",
            "--password-stdin",
            *extra,
        ]
    )


def test_setup_stores_what_the_wizard_stores(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert setup(data_dir, monkeypatch, "--printer", "tcp://127.0.0.1:9100") == 0
    out = capsys.readouterr().out
    assert "Set up hall HF (合肥市政务服务中心), window 03." in out
    assert "Admin account root created." in out
    desk = open_desk(data_dir)
    try:
        accounts = AccountService(desk.db)
        assert is_set_up(desk, accounts)
        settings = desk.settings
        assert (settings.hall_code, settings.window_no, settings.hall_name) == (
            "HF",
            "03",
            "合肥市政务服务中心",
        )
        admin = accounts.authenticate("root", PASSWORD)
        assert admin.role is Role.ADMIN and admin.clerk_no == "0800"
        assert desk.terminal.hall == "HF"
        with desk.db.read() as conn:
            actors = {row.actor for row in conn.execute(select(audit_log))}
        assert "setup:root" in actors
    finally:
        desk.close()
    assert load_local_settings(data_dir).printer_uri == "tcp://127.0.0.1:9100"


def test_bad_input_gets_the_wizards_messages_and_nothing_is_stored(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = setup(data_dir, monkeypatch, "--opening-hours", "9-5", password="123", hall="h1")
    assert code == 2
    err = capsys.readouterr().err
    for message in (
        "The password needs at least 6 characters.",
        "The hall code is 2–6 capital letters or digits, ending with a letter.",
        "Write opening hours like 09:00-12:00,13:30-17:30.",
    ):
        assert message in err
    assert "Traceback" not in err
    desk = open_desk(data_dir)
    try:
        assert not is_set_up(desk, AccountService(desk.db))
        assert not AccountService(desk.db).has_accounts()
    finally:
        desk.close()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "Give the admin's password on standard input with --password-stdin."),
        (("--server", "http://127.0.0.1:9"), "Give --server and --token-file together."),
        (
            ("--server", "http://127.0.0.1:9", "--token-file", "/nonexistent/token"),
            "cannot be read",
        ),
    ],
)
def test_missing_pieces_are_named(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    message: str,
) -> None:
    args = ["--data-dir", str(data_dir), "setup", "--hall", "HF", "--window", "3"]
    args += ["--hall-name", "合肥", "--admin", "root", *extra]
    if extra:
        args.append("--password-stdin")
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_set_up_desk_is_refused_unless_forced(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert setup(data_dir, monkeypatch) == 0
    capsys.readouterr()
    assert setup(data_dir, monkeypatch, hall="WH") == 1
    assert "already set up (hall HF, window 03)" in capsys.readouterr().err
    assert setup(data_dir, monkeypatch, "--force", hall="WH", window="5") == 0
    assert "existing accounts were kept" in capsys.readouterr().out
    desk = open_desk(data_dir)
    try:
        assert (desk.settings.hall_code, desk.settings.window_no) == ("WH", "5")
        assert [a.login for a in AccountService(desk.db).list()] == ["root"]
    finally:
        desk.close()


def test_setup_enrols_for_the_hall_and_window_it_sets_up(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    live_server: LiveServer,  # noqa: F811
    server_tokens: Tokens,  # noqa: F811
) -> None:
    monkeypatch.setenv("DNW_CREDENTIAL_STORE", "file")
    token_file = tmp_path / "token"
    token_file.write_text(server_tokens.terminal + "\n", encoding="ascii")
    server = ("--server", live_server.url, "--token-file", str(token_file))
    # The token is for AH/08: a desk set up as HF/03 is refused, and nothing is set up.
    assert setup(data_dir, monkeypatch, *server) == 1
    err = capsys.readouterr().err
    assert "The token is for hall AH window 08" in err and "Nothing was set up." in err
    desk = open_desk(data_dir)
    try:
        assert not is_set_up(desk, AccountService(desk.db))
    finally:
        desk.close()
    assert setup(data_dir, monkeypatch, *server, hall="ah", window="08") == 0
    assert f"Enrolled as terminal {server_tokens.terminal_id}" in capsys.readouterr().out
    desk = open_desk(data_dir)
    try:
        assert is_set_up(desk, AccountService(desk.db))
        with desk.db.read() as conn:
            enrolment = sync_state.enrolment(conn)
        assert enrolment is not None
        assert (enrolment.hall, enrolment.window) == ("AH", "08")
    finally:
        desk.close()
