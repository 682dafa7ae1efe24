"""``dnw-desk report`` and ``dnw-desk export ledger`` end to end (in process)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dnw_desk.cli import main
from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.services.desk import open_desk
from dnw_desk.store.tables import audit_log
from tests.factories import desk_at, register


@pytest.fixture
def filled(data_dir: Path) -> Path:
    desk, _clock = desk_at(data_dir, datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    register(desk)
    register(desk, lead_unit="省民政厅")
    desk.close()
    return data_dir


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_report_daily_and_units(filled: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "d.pdf"
    assert (
        main(
            [
                "--data-dir",
                str(filled),
                "report",
                "daily",
                "--date",
                "2026-11-24",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "AH08-20261124-0002" in text and contains_unmasked_pii(text) == []
    assert (
        main(
            [
                "--data-dir",
                str(filled),
                "report",
                "units",
                "--month",
                "2026-11",
                "--out",
                str(tmp_path / "u.xlsx"),
            ]
        )
        == 0
    )
    assert (tmp_path / "u.xlsx").exists()
    assert (
        main(
            [
                "--data-dir",
                str(filled),
                "report",
                "units",
                "--month",
                "2026-11",
                "--out",
                str(tmp_path / "u.txt"),
            ]
        )
        == 1
    )
    assert "2026-11" in capsys.readouterr().out


def test_export_ledger_masked_and_unmasked(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "l.xlsx"
    args = [
        "--data-dir",
        str(filled),
        "export",
        "ledger",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ]
    assert main([*args, "--out", str(out)]) == 0
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 4  # title, header, two cases
    assert contains_unmasked_pii(" ".join(str(c) for r in rows for c in r if c)) == []
    assert main([*args, "--out", str(tmp_path / "u.csv"), "--unmasked"]) == 2  # no reason
    assert (
        main([*args, "--out", str(tmp_path / "u.csv"), "--unmasked", "--reason", "公安协查"]) == 0
    )
    assert "+8613812345678" in (tmp_path / "u.csv").read_text(encoding="utf-8-sig")
    desk = open_desk(filled)
    with desk.db.read() as conn:
        entry = conn.execute(select(audit_log).order_by(audit_log.c.id.desc())).first()
    desk.close()
    assert entry is not None and entry.action == "export.unmasked"
    assert entry.actor.startswith("cli:") and entry.detail["reason"] == "公安协查"
