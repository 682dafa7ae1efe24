"""``dnw-desk calendar deadline | check | import``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from dnw_desk.commands import calendar as calendar_command
from dnw_desk.paths import resource_path
from dnw_desk.store.calendar_file import installed_override_path

EXAMPLE = resource_path("calendar", "override-example.toml")


pytestmark = pytest.mark.usefixtures("english")


def run(data_dir: Path, *argv: str) -> int:
    # Only this command's parser, so the test does not depend on the other commands importing.
    parser = argparse.ArgumentParser(prog="dnw-desk")
    calendar_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["calendar", *argv])
    args.data_dir = data_dir
    code: int = args.handler(args)
    return code


def test_deadline_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "deadline", "2026-09-30 16:00", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["deadline"] == "2026-10-08T17:30:00+08:00"
    assert out["provisional"] is False
    assert out["rule"] == "civil-code"
    assert out["calendar_version"].startswith("override:none+chinesecalendar:")


def test_deadline_text_says_provisional(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "deadline", "2026-12-31 23:59") == 0
    out = capsys.readouterr().out
    assert "2027-01-04 17:30" in out
    assert "PROVISIONAL" in out or "暂定" in out


def test_deadline_working_hours_rule(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "deadline", "2026-09-30 16:00", "--rule", "working-hours:8", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["deadline"] == "2026-10-08T17:00:00+08:00"
    assert out["rule"] == "working-hours:8"


@pytest.mark.parametrize(
    "argv",
    [("deadline", "yesterday"), ("deadline", "2026-09-30 16:00", "--rule", "soon")],
)
def test_deadline_bad_input(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    assert run(data_dir, *argv) == 2
    assert capsys.readouterr().err


def test_check(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "check", "2026") == 0
    assert run(data_dir, "check", "2027") == 1
    assert run(data_dir, "check", "2003") == 1
    assert "2027" in capsys.readouterr().out


def test_import_makes_2027_official(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(data_dir, "import", str(EXAMPLE)) == 0
    assert installed_override_path(data_dir).read_bytes() == EXAMPLE.read_bytes()
    assert run(data_dir, "check", "2027") == 0
    capsys.readouterr()
    assert run(data_dir, "deadline", "2026-12-31 10:00", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["provisional"] is False
    assert "override:2027-example.1@" in out["calendar_version"]


def test_refused_import_changes_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(data_dir, "import", str(EXAMPLE)) == 0
    before = installed_override_path(data_dir).read_bytes()
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'source = "x"\nversion = "2"\ncomplete_years = [2027]\n[[holiday]]\ndate = "2027-02-30"\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    assert run(data_dir, "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert "line 5" in err and "2027-02-30" in err
    assert installed_override_path(data_dir).read_bytes() == before
    assert not [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")]


def test_import_of_a_missing_file(data_dir: Path, tmp_path: Path) -> None:
    assert run(data_dir, "import", str(tmp_path / "nope.toml")) == 1
    assert not installed_override_path(data_dir).exists()


def test_import_recomputes_open_cases(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import datetime

    from dnw_desk.clock import HALL_TZ
    from dnw_desk.store import cases_repo
    from tests.factories import desk_at, register

    desk, _clock = desk_at(data_dir, datetime(2026, 12, 31, 10, 0, tzinfo=HALL_TZ))
    case = register(desk).case
    desk.close()
    assert case.deadline_provisional
    assert run(data_dir, "import", str(EXAMPLE)) == 0
    assert "Recomputed 1 open cases: 1 deadlines changed" in capsys.readouterr().out
    desk, _clock = desk_at(data_dir)
    with desk.db.read() as conn:
        row = cases_repo.get_case(conn, case.id)
    desk.close()
    assert row is not None and not row.deadline_provisional
    assert row.calendar_version is not None and "2027-example.1" in row.calendar_version


def test_import_refused_while_the_desk_runs(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dnw_desk.store.schema import InstanceLock

    lock = InstanceLock(data_dir)
    lock.acquire()
    try:
        assert run(data_dir, "import", str(EXAMPLE)) == 1
    finally:
        lock.release()
    assert "already running" in capsys.readouterr().err
    assert not installed_override_path(data_dir).exists()
