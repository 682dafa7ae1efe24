"""The early login's plain-sqlite3 reads: they answer only for a set-up desk, without SQLAlchemy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.domain.roles import Role
from dnw_desk.services.accounts import AccountService, NewAccount
from dnw_desk.services.desk import open_desk
from dnw_desk.services.settings import save_settings
from dnw_desk.store.early_login import early_look, login_record, needs_upgrade
from dnw_desk.store.instance import DB_FILENAME

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def test_only_a_set_up_desk_is_offered_early(data_dir: Path) -> None:
    assert early_look(data_dir) is None  # no database yet
    assert not (data_dir / DB_FILENAME).exists()  # and none created by asking
    desk = open_desk(data_dir, FakeClock(NOW))
    try:
        accounts = AccountService(desk.db, desk.clock)
        accounts.create(NewAccount("admin", "0800", Role.ADMIN, "admin-pass"), by=None)
        assert early_look(data_dir) is None  # not configured: the wizard decides
        settings = replace(desk.settings, configured=True, hall_name="H", window_name="W")
        save_settings(desk.db, settings, actor="test", now=NOW)
        look = early_look(data_dir)
        assert look is not None and look.hall == "H · W"
        record = login_record(data_dir, "admin")
        assert record is not None and record.role == Role.ADMIN.value and record.active
        assert record.password_hash.startswith("scrypt$")
        assert login_record(data_dir, "nobody") is None
    finally:
        desk.close()


def test_a_damaged_file_is_left_to_the_full_open(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DB_FILENAME).write_bytes(b"not a database" * 100)
    assert early_look(data_dir) is None


def test_the_early_login_loads_no_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "import dnw_desk.services.early_login, dnw_desk.store.instance\n"
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_an_older_schema_is_seen_before_the_database_opens(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "desk-rev0012.sqlite3"
    assert not needs_upgrade(tmp_path)  # no database yet: nothing to upgrade
    shutil.copyfile(fixture, tmp_path / DB_FILENAME)
    assert needs_upgrade(tmp_path)
    open_desk(tmp_path).close()
    assert not needs_upgrade(tmp_path)
