"""Issue finding 5 on the desk: personal data is erased N days after a case is closed and
synced — never before, never an unsynced case — idempotently, surviving a failure half-way,
and gone from the database file itself (not only from the rows)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from dnw_desk.cli import main
from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.services import retention as retention_service
from dnw_desk.services.attachments import attach_files
from dnw_desk.services.desk import Desk
from dnw_desk.services.handling import HandlingService
from dnw_desk.services.retention import purge_personal_data
from dnw_desk.store import retention as retention_store
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.blobs import BlobStore
from dnw_desk.store.database import DB_FILENAME
from dnw_desk.store.outbox_queries import pending_ops
from dnw_desk.store.tables import audit_log, case_events, cases, outbox
from tests.factories import CLERK, desk_at, pdf_bytes, png_bytes, register

START = datetime(2025, 1, 6, 10, 0, tzinfo=HALL_TZ)
DAYS = 365
OLD_NAME, OLD_ID, OLD_PHONE = "欧阳娜娜", "110105199003070017", "13987654321"


def _close(desk: Desk, case_id: str, name: str = "张三", phone: str = "13812345678") -> None:
    for event_type, data in [
        (EventType.OPINION_GIVEN, {"kind": "handled", "text": f"已联系{name}，已办理"}),
        (EventType.COMPLAINANT_INFORMED, {"channel": "phone", "note": f"电话{phone}"}),
        (EventType.WINDOW_INFORMED, {}),
        (EventType.CLOSED, {"note": "办结"}),
    ]:
        desk.cases.record(case_id, event_type, CLERK, data)


def _synced(desk: Desk, case_id: str) -> None:
    """As the sync client does once the server answered: the case's ops leave the outbox."""
    with desk.db.write() as conn:
        conn.execute(delete(outbox).where(outbox.c.case_id == case_id))


def _scenario(data_dir: Path) -> tuple[Desk, dict[str, str]]:
    desk, clock = desk_at(data_dir, START)
    old = register(desk, name=OLD_NAME, id_number=OLD_ID, phone=OLD_PHONE).case
    _close(desk, old.id, OLD_NAME, OLD_PHONE)
    _synced(desk, old.id)
    unsynced = register(desk, name="司马光").case
    _close(desk, unsynced.id)
    recent = register(desk, name="诸葛亮").case
    clock.now = START + timedelta(days=DAYS - 10)
    _close(desk, recent.id)
    _synced(desk, recent.id)
    still_open = register(desk, name="孙权").case
    _synced(desk, still_open.id)
    clock.now = START + timedelta(days=DAYS + 1)
    return desk, {
        "old": old.id,
        "unsynced": unsynced.id,
        "recent": recent.id,
        "open": still_open.id,
    }


def _case_text(desk: Desk, case_id: str) -> str:
    with desk.db.read() as conn:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).one()
        events = conn.execute(
            select(case_events.c.data).where(case_events.c.case_id == case_id)
        ).scalars()
        ops = [op.payload for op in pending_ops(conn, 1000) if op.case_id == case_id]
        return " ".join(map(str, [*row, *events, *ops]))


def test_only_closed_and_synced_cases_past_retention_are_erased(data_dir: Path) -> None:
    desk, ids = _scenario(data_dir)
    dry = purge_personal_data(desk.db, DAYS, desk.clock(), dry_run=True)
    assert dry.count == 1 and OLD_NAME in _case_text(desk, ids["old"])
    report = purge_personal_data(desk.db, DAYS, desk.clock())
    assert report.count == 1
    text = _case_text(desk, ids["old"])
    for secret in (OLD_NAME, OLD_ID, OLD_PHONE, "娜娜", "已联系"):
        assert secret not in text
    with desk.db.read() as conn:
        row = conn.execute(select(cases).where(cases.c.id == ids["old"])).one()
        entry = conn.execute(select(audit_log).order_by(audit_log.c.id.desc())).first()
        assert verify_chain(conn).ok
    # The stub stays: number, status, unit, dates, figures.
    assert row.number and row.status == "closed" and row.lead_unit == "省公安厅"
    assert row.closed_at is not None and row.pii_purged_at == desk.clock()
    assert entry is not None and entry.action == "privacy.purged"
    assert entry.case_id == ids["old"]
    # The case still opens (its registration reads back, without the person).
    view = HandlingService(desk.cases, desk.settings.units, desk.clock).view(ids["old"])
    assert OLD_NAME not in str(view)
    for kept, name in (("unsynced", "司马光"), ("recent", "诸葛亮"), ("open", "孙权")):
        assert name in _case_text(desk, ids[kept]), kept
    # Idempotent.
    assert purge_personal_data(desk.db, DAYS, desk.clock()).count == 0
    desk.close()


def test_the_erased_data_is_gone_from_the_file(data_dir: Path) -> None:
    desk, _ids = _scenario(data_dir)
    purge_personal_data(desk.db, DAYS, desk.clock())
    desk.close()
    raw = b"".join(path.read_bytes() for path in data_dir.glob(f"{DB_FILENAME}*") if path.is_file())
    for secret in (OLD_NAME, OLD_ID, OLD_PHONE):
        assert secret.encode() not in raw, secret


def test_a_failure_half_way_leaves_each_case_whole(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock = desk_at(data_dir, START)
    first, second = register(desk).case, register(desk).case
    for case in (first, second):
        _close(desk, case.id)
        _synced(desk, case.id)
    clock.now = START + timedelta(days=DAYS + 1)
    real = retention_store.purge_case
    calls = 0

    def dies_on_the_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            real(*args, **kwargs)  # the writes happen, then the process "dies"
            raise KeyboardInterrupt
        real(*args, **kwargs)

    monkeypatch.setattr(retention_service, "purge_case", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        purge_personal_data(desk.db, DAYS, clock())
    with desk.db.read() as conn:
        purged = dict(conn.execute(select(cases.c.number, cases.c.pii_purged_at)).all())
        assert verify_chain(conn).ok
    assert purged[first.number] is not None and purged[second.number] is None
    assert "张三" in _case_text(desk, second.id)  # rolled back whole
    monkeypatch.setattr(retention_service, "purge_case", real)
    assert purge_personal_data(desk.db, DAYS, clock()).count == 1
    assert "张三" not in _case_text(desk, second.id)
    desk.close()


def test_the_command(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk, ids = _scenario(data_dir)
    with desk.db.read() as conn:
        number = conn.execute(select(cases.c.number).where(cases.c.id == ids["old"])).scalar()
    desk.close()
    # The command runs on today's date, more than a year after the old case closed.
    assert main(["--data-dir", str(data_dir), "privacy", "purge", "--dry-run"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == [number]
    assert main(["--data-dir", str(data_dir), "privacy", "purge"]) == 0
    assert capsys.readouterr().out.split() == listed
    assert main(["--data-dir", str(data_dir), "privacy", "purge"]) == 0
    assert capsys.readouterr().out.split() == []


def test_a_purged_cases_documents_go_with_it_unless_a_kept_case_lists_them(
    data_dir: Path, tmp_path: Path
) -> None:
    desk, ids = _scenario(data_dir)
    blobs = BlobStore.for_data_dir(desk.data_dir)
    own, shared = tmp_path / "户口本.png", tmp_path / "回执.pdf"
    own.write_bytes(png_bytes())
    shared.write_bytes(pdf_bytes())
    for case_id, paths in ((ids["old"], [own, shared]), (ids["open"], [shared])):
        attach_files(desk.cases, blobs, case_id, paths, CLERK)
        _synced(desk, case_id)
    own_sha, shared_sha = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (own, shared))
    assert purge_personal_data(desk.db, DAYS, desk.clock()).count == 1
    assert not blobs.has(own_sha)
    assert blobs.has(shared_sha)  # the open case still needs its proof
    assert "户口本" not in _case_text(desk, ids["old"])  # the file name may name a person
    desk.close()
