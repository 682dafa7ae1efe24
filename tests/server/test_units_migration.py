"""Migration 0008 turns the hall-bound credentials of 0007 into units and binds each credential
to its unit; credentials of one name and hall share one unit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.credentials import list_units
from dnw_desk.server.units import list_units as list_unit_entities

NOW = "2026-11-20T02:00:00.000000+00:00"


def test_credentials_of_0007_become_units(tmp_path: Path) -> None:
    db = ServerDatabase(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    db.migrate("0007")
    with db.write() as conn:
        for credential_id, name, halls in (
            (1, "省公安厅", ["AH"]),
            (2, "省公安厅", ["AH"]),  # a second credential of the same unit
            (3, "省公安厅", ["HF"]),  # the same name in another city: another unit
            (4, "省教育厅", ["AH", "HF"]),
        ):
            conn.execute(
                text(
                    "INSERT INTO unit_credentials (id, name, platform, token_hash, created_at) "
                    "VALUES (:i, :n, false, :h, :t)"
                ),
                {"i": credential_id, "n": name, "h": f"{credential_id:064d}", "t": NOW},
            )
            for hall in halls:
                conn.execute(
                    text("INSERT INTO unit_credential_halls VALUES (:i, :h)"),
                    {"i": credential_id, "h": hall},
                )
    db.migrate()
    with db.read() as conn:
        records = {record.id: record for record in list_units(conn)}
        units = list_unit_entities(conn)
    db.dispose()
    assert records[1].unit_id == records[2].unit_id != records[3].unit_id
    assert records[1].halls == frozenset({"AH"}) and records[3].halls == frozenset({"HF"})
    assert records[4].halls == frozenset({"AH", "HF"})
    assert sorted((u.name, sorted(u.halls)) for u in units) == [
        ("省公安厅", ["AH"]),
        ("省公安厅", ["HF"]),
        ("省教育厅", ["AH", "HF"]),
    ]
