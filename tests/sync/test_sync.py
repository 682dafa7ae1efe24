from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from dnw_desk.cli import main as desk_main
from dnw_desk.contract.wire import FEEDBACK_PATH, PUSH_PATH
from dnw_desk.domain.case import EventType, Status
from dnw_desk.server import credentials
from dnw_desk.services.desk import Desk
from dnw_desk.store import cases_repo
from dnw_desk.store.tables import case_events
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.client import SyncClient, SyncStatus, read_status
from dnw_desk.sync.credentials import CredentialStore
from dnw_desk.sync.enrolment import EnrolmentError, enrol
from dnw_desk.sync.worker import Backoff, SyncWorker, client_for
from tests.factories import CLERK, desk_at, register
from tests.server.helpers import feedback
from tests.sync.conftest import LiveServer, Tokens
from tests.sync.helpers import FaultyTransport, assert_same, desk_view


def _client(desk: Desk, url: str, token: str, **options: object) -> SyncClient:
    return SyncClient(desk.db, url, token, clock=desk.clock, **options)  # type: ignore[arg-type]


def _post_feedback(
    server: LiveServer, tokens: Tokens, number: str, kind: str = "opinion_given"
) -> None:
    response = httpx.post(
        server.url + FEEDBACK_PATH,
        json=feedback(number, kind),
        headers={"Authorization": f"Bearer {tokens.unit}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text


def test_end_to_end_over_http_with_the_cli(
    data_dir: Path,
    live_server: LiveServer,
    server_tokens: Tokens,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DNW_CREDENTIAL_STORE", "file")
    desk, _clock = desk_at(data_dir)
    numbers = [register(desk).case.number for _ in range(3)]
    desk.close()
    args = ["--data-dir", str(data_dir)]
    assert (
        desk_main([*args, "enrol", "--server", live_server.url, "--token", server_tokens.terminal])
        == 0
    )
    token_file = data_dir / "sync-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    capsys.readouterr()
    assert desk_main([*args, "sync", "--once", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["state"] == "synced" and report["pushed"] == 6 and report["pending"] == 0

    _post_feedback(live_server, server_tokens, numbers[0])
    assert desk_main([*args, "sync", "--once", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pulled"] == 1

    desk, _clock = desk_at(data_dir)
    try:
        with desk.db.read() as conn:
            row = cases_repo.get_case_by_number(conn, numbers[0])
            assert row is not None and row.status == Status.OPINION_GIVEN
            origins = conn.execute(
                select(case_events.c.type, case_events.c.origin)
                .where(case_events.c.case_id == row.id)
                .order_by(case_events.c.seq)
            ).all()
        assert origins[-1] == ("opinion_given", "server")
        # The desk continues the timeline; the server accepts it after the unit's step.
        desk.cases.record(row.id, EventType.COMPLAINANT_INFORMED, CLERK, {"channel": "phone"})
        assert desk_main([*args, "sync", "--once"]) == 0
        assert_same(desk, live_server.db)
        # The public status page serves the case behind its QR code.
        page = httpx.get(
            f"{live_server.url}/status/{row.number}", params={"code": row.verification_code}
        )
        assert page.status_code == 200 and row.number in page.text
    finally:
        desk.close()


def test_enrolment_refuses_a_token_for_another_window_or_a_bad_token(
    data_dir: Path, live_server: LiveServer
) -> None:
    desk, _clock = desk_at(data_dir)
    with live_server.db.write() as conn:
        _record, token = credentials.add_terminal(conn, "AH", "09", datetime.now(UTC))
    store = CredentialStore(data_dir, use_keyring=False)
    with pytest.raises(EnrolmentError, match=r"window|窗口"):
        enrol(desk.db, data_dir, live_server.url, token, hall="AH", window="08", store=store)
    with pytest.raises(EnrolmentError, match=r"refused|拒绝"):
        enrol(desk.db, data_dir, live_server.url, "dnwt_nope", hall="AH", window="08", store=store)
    with pytest.raises(EnrolmentError):
        enrol(desk.db, data_dir, "ftp://x", token, hall="AH", window="08", store=store)
    assert not (data_dir / "sync-token").exists()
    desk.close()


def test_offline_keeps_the_outbox_and_says_since_when(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    register(enrolled_desk)
    live_server.stop()
    client = _client(enrolled_desk, live_server.url, server_tokens.terminal, timeout=2.0)
    report = client.sync_once()
    assert report.status.state == "offline"
    assert report.status.pending == 2
    assert report.status.offline_since == enrolled_desk.clock()
    assert "Offline since" in report.status.text() or "离线" in report.status.text()
    live_server.start()
    report = client.sync_once()
    client.close()
    assert report.status.state == "synced" and report.status.offline_since is None
    assert_same(enrolled_desk, live_server.db)


def test_a_revoked_credential_mid_sync_keeps_the_outbox_intact(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    for _case in range(5):
        register(enrolled_desk)  # 10 ops, 4 batches of 3

    pushes: list[httpx.Request] = []

    def revoke_after_first_push(_call: int, request: httpx.Request) -> None:
        if request.url.path == PUSH_PATH:
            pushes.append(request)
        if len(pushes) == 2 and request is pushes[-1]:
            with live_server.db.write() as conn:
                credentials.revoke_terminal(conn, server_tokens.terminal_id, datetime.now(UTC))

    transport = FaultyTransport(
        httpx.HTTPTransport(), lambda _c, _r: None, before=revoke_after_first_push
    )
    client = _client(
        enrolled_desk, live_server.url, server_tokens.terminal, transport=transport, batch_size=3
    )
    report = client.sync_once()
    client.close()
    assert report.status.state == "error"
    assert "credential" in (report.status.error or "") or "凭据" in (report.status.error or "")
    view = desk_view(enrolled_desk)
    # The answered batch is gone from the outbox; the other seven wait, untouched.
    assert len(view["pending"]) == 7
    # Enrolled again with a fresh token, the rest goes through exactly once.
    with live_server.db.write() as conn:
        _record, token = credentials.add_terminal(conn, "AH", "08", datetime.now(UTC))
    enrol(
        enrolled_desk.db,
        enrolled_desk.data_dir,
        live_server.url,
        token,
        hall="AH",
        window="08",
        store=CredentialStore(enrolled_desk.data_dir, use_keyring=False),
    )
    client = client_for(enrolled_desk.db, enrolled_desk.data_dir, enrolled_desk.clock)
    assert client is not None
    assert client.sync_once().status.state == "synced"
    client.close()
    assert_same(enrolled_desk, live_server.db)


def test_conflicts_are_kept_with_both_versions(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    saved = register(enrolled_desk)
    client = _client(enrolled_desk, live_server.url, server_tokens.terminal)
    assert client.sync_once().status.state == "synced"
    # The unit answers on the server while the clerk records an answer at the desk.
    _post_feedback(live_server, server_tokens, saved.case.number)
    enrolled_desk.cases.record(
        saved.case.id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "电话答复"}
    )
    report = client.sync_once()
    client.close()
    assert report.conflicts == 1
    assert report.status.pending == 0 and report.status.conflicts == 2
    assert "2" in report.status.text()
    with enrolled_desk.db.read() as conn:
        conflicts = sync_state.open_conflicts(conn)
    push, pull = conflicts
    assert push.direction == "push" and push.code == "workflow"
    assert push.local_version["event"]["type"] == "opinion_given"
    assert push.server_version["status"] == "opinion_given"
    assert pull.direction == "pull" and pull.server_version["event"]["type"] == "opinion_given"
    with enrolled_desk.db.write() as conn:
        assert sync_state.resolve_conflict(conn, push.id, "li", enrolled_desk.clock())
    assert read_status(enrolled_desk.db).conflicts == 1


def test_status_values_and_text() -> None:
    assert SyncStatus("synced").text() in ("Synced", "已同步")
    pending = SyncStatus("pending", pending=3).text()
    assert "3" in pending
    offline = SyncStatus("offline", pending=2, offline_since=datetime(2026, 11, 24, 9, 5)).text()
    assert "11-24 09:05" in offline and "2" in offline
    assert "boom" in SyncStatus("error", error="boom").text()


def test_backoff_grows_with_full_jitter_and_resets() -> None:
    import random

    backoff = Backoff(base=1.0, cap=8.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(40)]
    assert all(0.1 <= d <= 8.0 for d in delays)
    assert len({round(d, 3) for d in delays}) > 30  # jittered, not a fixed ladder
    assert max(delays[:3]) <= 4.0
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_worker_reports_status_and_stops(enrolled_desk: Desk) -> None:
    register(enrolled_desk)
    seen: list[SyncStatus] = []
    worker = SyncWorker(
        lambda: client_for(enrolled_desk.db, enrolled_desk.data_dir, enrolled_desk.clock),
        seen.append,
        interval=0.05,
        db=enrolled_desk.db,
    )
    worker.start()
    import time

    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.stop()
    assert seen and seen[0].state == "synced"
