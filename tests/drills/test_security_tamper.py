"""Issue finding 7: tamper evidence an auditor accepts, against someone holding the file.

Each attack of the issue, done on the database file with sqlite3 (and, for the re-chaining,
the project's own hash function), then ``dnw-desk audit verify`` — with the desk enrolled on a
real server that keeps the anchor of its chain.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from dnw_desk.cli import main
from dnw_desk.contract.sqltypes import to_utc_text
from dnw_desk.domain.case import EventType
from dnw_desk.services.desk import Desk
from dnw_desk.store.audit import canonical_row, chain_hash
from dnw_desk.store.database import DB_FILENAME
from dnw_desk.sync.worker import sync_once
from tests.factories import CLERK, register
from tests.sync.conftest import LiveServer


def _verify(data_dir: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--data-dir", str(data_dir), "audit", "verify", *extra])
    return code, capsys.readouterr().out


def _two_synced_cases(desk: Desk) -> tuple[str, str]:
    first = register(desk).case
    desk.cases.record(first.id, EventType.NOTE, CLERK, {"text": "已电话联系"})
    second = register(desk, name="李四").case
    report = sync_once(desk.db, desk.data_dir, desk.clock)
    assert report.status.state == "synced", report.status
    return first.id, second.id


def _sql(data_dir: Path, statement: str, *params: object) -> None:
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        conn.execute(statement, params)


def test_an_untouched_log_verifies_against_the_server(
    enrolled_desk: Desk, live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_synced_cases(enrolled_desk)
    code, out = _verify(enrolled_desk.data_dir, capsys)
    assert code == 0, out
    assert "every case and event row matches" in out and "matches the server's anchor" in out


def test_truncating_the_log_is_detected(
    enrolled_desk: Desk, live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_synced_cases(enrolled_desk)
    _sql(
        enrolled_desk.data_dir,
        "DELETE FROM audit_log WHERE id > (SELECT max(id) - 2 FROM audit_log)",
    )
    code, out = _verify(enrolled_desk.data_dir, capsys)
    assert code == 1 and "NOT match" in out, out  # the rows the lost entries covered


def test_deleting_a_case_with_its_events_and_audit_tail_is_detected(
    enrolled_desk: Desk, live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _first, second = _two_synced_cases(enrolled_desk)
    data_dir = enrolled_desk.data_dir
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        first_entry = conn.execute(
            "SELECT min(id) FROM audit_log WHERE case_id = ?", (second,)
        ).fetchone()[0]
        conn.execute("DELETE FROM audit_log WHERE id >= ?", (first_entry,))
        for table in ("outbox", "case_events"):
            conn.execute(f"DELETE FROM {table} WHERE case_id = ?", (second,))
        conn.execute("DELETE FROM cases WHERE id = ?", (second,))
    code, out = _verify(data_dir, capsys)
    assert code == 1 and "BROKEN" in out and "deleted" in out, out


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("UPDATE cases SET complainant_name = '王五' WHERE id = ?", "differs"),
        ("UPDATE cases SET status = 'closed' WHERE id = ?", "status does not match"),
        (
            "UPDATE case_events SET data = json_set(data, '$.text', '无') "
            "WHERE case_id = ? AND type = 'note'",
            "differs",
        ),
    ],
)
def test_editing_cases_or_events_is_detected(
    enrolled_desk: Desk,
    live_server: LiveServer,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    says: str,
) -> None:
    first, _second = _two_synced_cases(enrolled_desk)
    _sql(enrolled_desk.data_dir, statement, first)
    code, out = _verify(enrolled_desk.data_dir, capsys, "--offline")  # found locally
    assert code == 1 and "does NOT match" in out and says in out, out


def _rechain(data_dir: Path, entry_id: int, actor: str) -> None:
    """What an attacker with the file and this source code can do: edit an entry, then
    recompute every hash after it with the project's own functions."""
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        conn.execute("UPDATE audit_log SET actor = ? WHERE id = ?", (actor, entry_id))
        prev = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (entry_id - 1,)).fetchone()
        prev_hash = prev[0].hex() if prev else "0" * 64
        rows = conn.execute(
            "SELECT id, at, actor, action, case_id, detail FROM audit_log WHERE id >= ? "
            "ORDER BY id",
            (entry_id,),
        ).fetchall()
        from datetime import datetime

        for row_id, at, row_actor, action, case_id, detail in rows:
            moment = datetime.fromisoformat(at)
            digest = chain_hash(
                prev_hash,
                canonical_row(row_id, moment, row_actor, action, case_id, json.loads(detail)),
            )
            assert to_utc_text(moment) == at
            conn.execute(
                "UPDATE audit_log SET hash = ? WHERE id = ?",
                (bytes.fromhex(digest), row_id),
            )
            prev_hash = digest


def test_a_recomputed_chain_is_detected_by_the_servers_anchor(
    enrolled_desk: Desk, live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_synced_cases(enrolled_desk)
    _rechain(enrolled_desk.data_dir, 2, "admin:evil")
    # Locally the chain verifies (that is the attack) …
    code, out = _verify(enrolled_desk.data_dir, capsys, "--offline")
    assert code == 0, out
    # … the server's anchor does not, and the next sync refuses to move the anchor on.
    code, out = _verify(enrolled_desk.data_dir, capsys)
    assert code == 1 and "rewritten" in out, out
    register(enrolled_desk)
    report = sync_once(enrolled_desk.db, enrolled_desk.data_dir, enrolled_desk.clock)
    assert report.status.state == "error" and "audit" in (report.status.error or "")
    code, out = _verify(enrolled_desk.data_dir, capsys)
    assert code == 1 and "rewritten" in out, out


def test_offline_the_recomputed_chain_is_not_detected_and_verify_says_so(
    enrolled_desk: Desk, live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_synced_cases(enrolled_desk)
    _rechain(enrolled_desk.data_dir, 2, "admin:evil")
    live_server.stop()
    code, out = _verify(enrolled_desk.data_dir, capsys)
    assert code == 0 and "cannot be reached" in out, out
