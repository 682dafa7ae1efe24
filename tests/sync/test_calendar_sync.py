"""The server's calendar releases on a desk, over real HTTP: pinned key, verify, install,
recompute once; tampered, foreign-key, replayed and broken releases are refused and change
nothing (docs/calendar-override.md#from-the-server)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from dnw_desk.contract.wire import CalendarRelease, calendar_signed_bytes
from dnw_desk.domain.case import EventType
from dnw_desk.server.calendar_releases import public_key, publish
from dnw_desk.server.core.config import Settings
from dnw_desk.services.desk import Desk
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.calendar_file import installed_override_path
from dnw_desk.store.tables import audit_log, case_events
from dnw_desk.sync import calendar as desk_calendar
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.client import SyncClient, SyncReport
from tests.factories import register
from tests.services.test_calendar_change import OVERRIDE_2027, at
from tests.sync.conftest import LiveServer, Tokens


def _publish(server: LiveServer, text: str) -> None:
    with server.db.write() as conn:
        publish(conn, Settings(), text, by="admin", now=datetime.now(UTC))


def _sync(desk: Desk, server: LiveServer, tokens: Tokens) -> SyncReport:
    client = SyncClient(desk.db, server.url, tokens.terminal, clock=desk.clock)
    try:
        return client.sync_once()
    finally:
        client.close()


def _recomputed_events(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(case_events)
                .where(case_events.c.type == EventType.DEADLINE_RECOMPUTED.value)
            ).scalar_one()
        )


def _audits(desk: Desk, action: str) -> int:
    with desk.db.read() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(audit_log).where(audit_log.c.action == action)
            ).scalar_one()
        )


@pytest.fixture
def pending_case(enrolled_desk: Desk) -> Any:
    """Registered on 31 December 2026: due Monday 4 January, provisionally."""
    enrolled_desk.clock.now = at("2026-12-31 10:00")  # type: ignore[attr-defined]
    case = register(enrolled_desk).case
    assert case.deadline == at("2027-01-04 17:30") and case.deadline_provisional
    return case


def test_enrolment_pins_the_key_and_a_release_is_installed_and_recomputed_once(
    enrolled_desk: Desk,
    live_server: LiveServer,
    server_tokens: Tokens,
    pending_case: Any,
    english: None,
) -> None:
    desk = enrolled_desk
    with desk.db.read() as conn:
        assert desk_calendar.pinned_key(conn) == public_key(Settings())
    assert not _sync(desk, live_server, server_tokens).calendar_installed  # nothing published
    _publish(live_server, OVERRIDE_2027)

    report = _sync(desk, live_server, server_tokens)

    assert report.calendar_installed and report.changed_case_ids == {pending_case.id}
    assert report.status.calendar_refused is None
    assert installed_override_path(desk.data_dir).read_text(encoding="utf-8") == OVERRIDE_2027
    with desk.db.read() as conn:
        row = cases_repo.get_case(conn, pending_case.id)
        assert sync_state.get_value(conn, sync_state.CALENDAR_SEQ) == 1
        assert verify_chain(conn).ok
    assert row is not None and row.deadline == at("2027-01-05 17:30")
    assert not row.deadline_provisional
    desk.reload()
    assert desk.calendar.override is not None and desk.calendar.override.version == "2027.1"
    # Once: the next rounds find the same release and leave everything as it is.
    again = _sync(desk, live_server, server_tokens)
    assert not again.calendar_installed
    assert _recomputed_events(desk) == 1
    assert _audits(desk, "calendar.installed") == 1 and _audits(desk, "calendar.recomputed") == 1


def _tampered(release: CalendarRelease) -> CalendarRelease:
    return release.model_copy(update={"text": release.text.replace("2027-01-04", "2027-01-05")})


def _foreign(release: CalendarRelease) -> CalendarRelease:
    other = Ed25519PrivateKey.generate()
    signature = other.sign(calendar_signed_bytes(release.seq, release.text))
    return release.model_copy(update={"signature": base64.b64encode(signature).decode()})


def _unsigned(release: CalendarRelease) -> CalendarRelease:
    return release.model_copy(update={"signature": "AAAA"})


@pytest.mark.parametrize(
    ("alter", "reason"),
    [
        (_tampered, "does not verify"),
        (_foreign, "does not verify"),
        (_unsigned, "does not verify"),
        (lambda r: r.model_copy(update={"key_fingerprint": "0" * 64}), "another key"),
    ],
    ids=["tampered", "wrong-key", "unsigned", "other-fingerprint"],
)
def test_an_altered_release_is_refused_and_changes_nothing(
    enrolled_desk: Desk,
    live_server: LiveServer,
    server_tokens: Tokens,
    pending_case: Any,
    monkeypatch: pytest.MonkeyPatch,
    english: None,
    alter: Callable[[CalendarRelease], CalendarRelease],
    reason: str,
) -> None:
    desk = enrolled_desk
    _publish(live_server, OVERRIDE_2027)
    original = CalendarRelease.model_validate_json
    monkeypatch.setattr(
        CalendarRelease,
        "model_validate_json",
        classmethod(lambda cls, data: alter(original(data))),
    )
    report = _sync(desk, live_server, server_tokens)
    assert not report.calendar_installed
    assert reason in (report.status.calendar_refused or "")
    assert "Calendar update refused" in report.status.text()
    assert not installed_override_path(desk.data_dir).exists()
    assert _recomputed_events(desk) == 0
    with desk.db.read() as conn:
        row = cases_repo.get_case(conn, pending_case.id)
        assert not sync_state.get_value(conn, sync_state.CALENDAR_SEQ)
    assert row is not None and row.deadline_provisional
    _sync(desk, live_server, server_tokens)
    assert _audits(desk, "calendar.refused") == 1  # once, not every round


def test_a_signed_release_that_breaks_the_rules_is_refused(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, english: None
) -> None:
    """A release the server's validation would not have let through (an older server, a
    row written by hand) is checked again on the desk."""
    text = OVERRIDE_2027.replace("2027-01-04", "2027-02-30")
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(Settings().calendar_key))
    with live_server.db.write() as conn:
        from dnw_desk.server.tables import calendar_releases

        conn.execute(
            calendar_releases.insert().values(
                seq=1,
                version="bad",
                sha256="0" * 64,
                text=text,
                signature=base64.b64encode(key.sign(calendar_signed_bytes(1, text))).decode(),
                key_fingerprint=public_key(Settings()).fingerprint,
                published_by="x",
                published_at=datetime.now(UTC),
            )
        )
    report = _sync(enrolled_desk, live_server, server_tokens)
    assert not report.calendar_installed
    assert "line 5" in (report.status.calendar_refused or "")
    assert not installed_override_path(enrolled_desk.data_dir).exists()


def test_an_older_release_replayed_is_refused(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, english: None
) -> None:
    desk = enrolled_desk
    _publish(live_server, OVERRIDE_2027)
    assert _sync(desk, live_server, server_tokens).calendar_installed
    with desk.db.write() as conn:  # as if release 2 had been installed since
        sync_state.set_value(conn, sync_state.CALENDAR_SEQ, 2, desk.clock())
    report = _sync(desk, live_server, server_tokens)
    assert not report.calendar_installed
    assert "older than release 2" in (report.status.calendar_refused or "")


def test_a_desk_enrolled_before_releases_pins_the_key_on_first_use(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens, data_dir: Path
) -> None:
    desk = enrolled_desk
    with desk.db.write() as conn:
        sync_state.set_value(conn, sync_state.CALENDAR_KEY, None, desk.clock())
    _publish(live_server, OVERRIDE_2027)
    assert _sync(desk, live_server, server_tokens).calendar_installed
    with desk.db.read() as conn:
        assert desk_calendar.pinned_key(conn) == public_key(Settings())
    assert _audits(desk, "calendar.key_pinned") == 2  # at enrolment, then on first use


def test_the_refusal_reads_in_chinese(
    enrolled_desk: Desk, live_server: LiveServer, server_tokens: Tokens
) -> None:
    desk = enrolled_desk
    _publish(live_server, OVERRIDE_2027)
    with desk.db.write() as conn:
        sync_state.set_value(conn, sync_state.CALENDAR_SEQ, 5, desk.clock())
    report = _sync(desk, live_server, server_tokens)
    assert "日历更新被拒绝" in report.status.text()
    assert "比本机已安装的第 5 版更旧" in report.status.text()
