"""The desk's side of sync (docs/rules.md#sync): push the outbox, pull units' events, report a
status. The round's other parts live beside it: ``pull``, ``hall_directory``, ``anchor`` and
``calendar``, all talking through one ``session.ServerSession``.

Push sends pending ops in outbox order, in batches, and deletes a batch's ops in one local
transaction only after the server's answer names every op in it: a lost request or a lost
response leaves the ops pending, and the resend is harmless because the server is idempotent
by ``op_id``. Nothing here raises on network trouble: it becomes the
status the status bar shows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError

from dnw_desk.clock import Clock, system_clock
from dnw_desk.contract.wire import (
    BLOB_PATH,
    MAX_BATCH,
    PUSH_PATH,
    WHOAMI_PATH,
    PushResponse,
    TerminalInfo,
)
from dnw_desk.domain.attachments import AttachmentInfo
from dnw_desk.domain.case import EventType
from dnw_desk.i18n import _
from dnw_desk.services.settings import read_settings
from dnw_desk.store import cases_repo, outbox_queries
from dnw_desk.store.blobs import BlobDamaged, BlobMissing, BlobStore
from dnw_desk.store.database import Database
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.anchor import anchor_audit
from dnw_desk.sync.calendar import pull_calendar
from dnw_desk.sync.enrolment import binding_problem, same_binding, wrong_window_message
from dnw_desk.sync.hall_directory import refresh_units, report_hall_name
from dnw_desk.sync.pull import pull_updates
from dnw_desk.sync.session import ServerSession, StatusKind, SyncFailure, raise_for

__all__ = ["StatusKind", "SyncClient", "SyncFailure", "SyncReport", "SyncStatus", "read_status"]

log = logging.getLogger(__name__)
MAX_ROUNDS = 10_000  # bounds every loop; far beyond any real backlog per call
MIN_BATCH = 1


@dataclass(frozen=True)
class SyncStatus:
    state: StatusKind
    pending: int = 0
    conflicts: int = 0
    offline_since: datetime | None = None
    last_synced_at: datetime | None = None
    error: str | None = None
    # Why the server's latest calendar release was refused (nothing was changed), if it was.
    calendar_refused: str | None = None

    def text(self) -> str:
        """One line for the status bar."""
        if self.state == "not_enrolled":
            return _("Not connected to a server")
        if self.state == "offline" and self.offline_since is not None:
            line = _("Offline since {time}").format(time=self.offline_since.strftime("%m-%d %H:%M"))
        elif self.state == "error":
            line = _("Sync error: {message}").format(message=self.error or "")
        elif self.pending:
            line = _("{count} pending").format(count=self.pending)
        else:
            line = _("Synced")
        if self.pending and self.state in ("offline", "error"):
            line += " · " + _("{count} pending").format(count=self.pending)
        if self.conflicts:
            # One msgid, no plural forms: the catalogue reader picks msgstr[1] for n != 1,
            # which a one-form (Chinese) catalogue does not have.
            line += " · " + _("Conflicts: {count}").format(count=self.conflicts)
        if self.calendar_refused:
            line += " · " + _("Calendar update refused: {reason}").format(
                reason=self.calendar_refused
            )
        return line


@dataclass(frozen=True)
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    conflicts: int = 0
    pulled: int = 0
    status: SyncStatus = SyncStatus("synced")
    # The cases whose local timeline a pulled event changed (a unit's opinion stops the
    # countdown): the desk publishes them so its screens reload.
    changed_case_ids: frozenset[str] = frozenset()
    # A calendar release was installed this round: the desk reloads its calendar.
    calendar_installed: bool = False
    units_changed: bool = False  # the server's unit list for the hall changed the settings


def read_status(db: Database, failure: SyncFailure | None = None) -> SyncStatus:
    with db.read() as conn:
        enrolment = sync_state.enrolment(conn)
        pending = cases_repo.pending_op_count(conn)
        conflicts = sync_state.open_conflict_count(conn)
        offline_since = sync_state.get_time(conn, sync_state.OFFLINE_SINCE)
        last = sync_state.get_time(conn, sync_state.LAST_SYNCED)
        error = sync_state.get_value(conn, sync_state.LAST_ERROR)
        refused = sync_state.get_value(conn, sync_state.CALENDAR_REFUSED)
    if enrolment is None:
        return SyncStatus("not_enrolled", pending, conflicts)
    if failure is not None:
        kind: StatusKind = failure.kind
    elif error:
        kind = "error"
    elif offline_since is not None:
        kind = "offline"
    else:
        kind = "pending" if pending else "synced"
    return SyncStatus(kind, pending, conflicts, offline_since, last, error, refused or None)


class SyncClient:
    def __init__(
        self,
        db: Database,
        server_url: str,
        token: str,
        *,
        clock: Clock = system_clock,
        transport: httpx.BaseTransport | None = None,
        batch_size: int = 200,
        page_size: int = 200,
        timeout: float = 15.0,
        blobs: BlobStore | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.blobs = blobs or BlobStore.for_data_dir(db.path.parent)
        self.batch_size = max(MIN_BATCH, min(batch_size, MAX_BATCH))
        self.page_size = page_size
        self.http = httpx.Client(
            base_url=server_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "dnw-desk-sync"},
            timeout=timeout,
            transport=transport,
        )
        self.session = ServerSession(db, clock, self.http)

    def close(self) -> None:
        self.http.close()

    # --- one full round ------------------------------------------------------------------

    def sync_once(self) -> SyncReport:
        """Push everything pending, then pull; the status says how it went."""
        pushed = duplicates = conflicts = 0
        changed: list[str] = []  # filled page by page, so a failure keeps what was applied
        units_changed = False
        pulled = 0
        installed = False
        try:
            self._check_binding()
            report_hall_name(self.session)
            pushed, duplicates, conflicts = self.push_pending()
            pull_updates(self.session, self.page_size, changed)
            pulled = len(changed)
            units_changed = refresh_units(self.session)
            anchor_audit(self.session)
            installed = pull_calendar(self.session, changed)
        except SyncFailure as failure:
            self._note_failure(failure)
            status = read_status(self.db, failure)
            return SyncReport(
                pushed,
                duplicates,
                conflicts,
                len(changed),
                status,
                frozenset(changed),
                calendar_installed=installed,
                units_changed=units_changed,
            )
        now = self.clock()
        with self.db.write() as conn:
            sync_state.set_value(conn, sync_state.LAST_SYNCED, now.isoformat(), now)
            sync_state.set_value(conn, sync_state.OFFLINE_SINCE, None, now)
            sync_state.set_value(conn, sync_state.LAST_ERROR, None, now)
        return SyncReport(
            pushed,
            duplicates,
            conflicts,
            pulled,
            read_status(self.db),
            frozenset(changed),
            calendar_installed=installed,
            units_changed=units_changed,
        )

    def _note_failure(self, failure: SyncFailure) -> None:
        now = self.clock()
        with self.db.write() as conn:
            if failure.kind == "offline":
                if sync_state.get_value(conn, sync_state.OFFLINE_SINCE) is None:
                    sync_state.set_value(conn, sync_state.OFFLINE_SINCE, now.isoformat(), now)
                sync_state.set_value(conn, sync_state.LAST_ERROR, None, now)
            else:
                sync_state.set_value(conn, sync_state.LAST_ERROR, str(failure), now)

    def _check_binding(self) -> None:
        """Refuse to push when the desk was moved to another hall or window since enrolment:
        the server would refuse every case with a bare 403."""
        with self.db.read() as conn:
            enrolment = sync_state.enrolment(conn)
            settings = read_settings(conn)
        problem = (
            binding_problem(enrolment, settings.hall_code, settings.window_no)
            if enrolment is not None
            else None
        )
        if problem is not None:
            raise SyncFailure("error", problem)

    def _forbidden(self) -> SyncFailure:
        """A 403 on push: say which window the server holds the credential for, if it tells."""
        generic = SyncFailure("error", _("The server says this terminal may not send these cases."))
        try:
            response = self.http.get(WHOAMI_PATH)
            info = TerminalInfo.model_validate_json(response.content)
        except (httpx.HTTPError, ValidationError):
            return generic
        with self.db.read() as conn:
            settings = read_settings(conn)
        if same_binding(info, settings.hall_code, settings.window_no):
            return generic  # bound right: the refused cases themselves are another window's
        return SyncFailure(
            "error",
            wrong_window_message(info.hall, info.window, settings.hall_code, settings.window_no),
        )

    # --- push ----------------------------------------------------------------------------

    def push_pending(self) -> tuple[int, int, int]:
        applied = duplicates = conflicts = 0
        for _round in range(MAX_ROUNDS):
            with self.db.read() as conn:
                rows = outbox_queries.pending_ops(conn, self.batch_size)
            if not rows:
                break
            self.upload_attachments([row.payload for row in rows])
            try:
                results = self._post_batch([row.payload for row in rows])
            except _BatchTooLarge:
                continue  # resend with the halved batch size
            counts = self._mark_sent(rows, results)
            applied += counts[0]
            duplicates += counts[1]
            conflicts += counts[2]
        if applied or duplicates or conflicts:
            # The answered ops' pages go back to the file system, a bounded step at a time.
            self.db.reclaim_space()
        return applied, duplicates, conflicts

    def upload_attachments(self, payloads: Sequence[dict[str, Any]]) -> int:
        """Send the bytes of every attachment these ops list, before the ops themselves, so
        the server never lists a file it cannot hand to the unit. Content-addressed: a file the
        server has is skipped, and a round cut short resumes with the files still missing."""
        uploaded = 0
        for sha256 in _attachment_hashes(payloads):
            path = f"{BLOB_PATH}/{sha256}"
            present = self.session.request("HEAD", path)
            if present.status_code == 200:
                continue
            if present.status_code not in (404, 405):
                raise_for(present)
            try:
                content = self.blobs.read(sha256)
            except (BlobMissing, BlobDamaged):
                # Pushing the case on matters more than the file: the timeline still names it.
                log.warning("attachment %s is missing or damaged here; not uploaded", sha256)
                continue
            response = self.session.request(
                "PUT", path, content=content, headers={"Content-Type": "application/octet-stream"}
            )
            raise_for(response)
            uploaded += 1
        return uploaded

    def _post_batch(self, payloads: list[dict[str, Any]]) -> PushResponse:
        response = self.session.request("POST", PUSH_PATH, json={"ops": payloads})
        if response.status_code == 413 and self.batch_size > MIN_BATCH:
            self.batch_size = max(MIN_BATCH, self.batch_size // 2)
            raise _BatchTooLarge
        if response.status_code == 403:
            raise self._forbidden()
        raise_for(response)
        try:
            return PushResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncFailure("error", _("The server sent an unexpected answer.")) from exc

    def _mark_sent(
        self, rows: Sequence[outbox_queries.PendingOp], response: PushResponse
    ) -> tuple[int, int, int]:
        """Count the answers and drop the answered ops, in one local transaction."""
        by_op = {result.op_id: result for result in response.results}
        if set(by_op) != {row.op_id for row in rows}:
            raise SyncFailure("error", _("The server's answer does not match the ops sent."))
        now = self.clock()
        counts = [0, 0, 0]
        with self.db.write() as conn:
            for row in rows:
                result = by_op[row.op_id]
                if result.outcome == "applied":
                    counts[0] += 1
                elif result.outcome == "duplicate":
                    counts[1] += 1
                else:
                    counts[2] += 1
                    sync_state.record_conflict(
                        conn,
                        direction="push",
                        code=result.code or "conflict",
                        message=result.message or "",
                        now=now,
                        op_id=row.op_id,
                        case_id=row.case_id,
                        case_no=row.payload.get("case_no"),
                        event_id=row.payload.get("event", {}).get("id"),
                        local_version=row.payload,
                        server_version=result.server_version,
                    )
            outbox_queries.drop_answered(conn, [row.id for row in rows])
        return counts[0], counts[1], counts[2]


def _attachment_hashes(payloads: Sequence[dict[str, Any]]) -> list[str]:
    hashes = []
    for payload in payloads:
        event = payload.get("event") or {}
        if event.get("type") == EventType.ATTACHMENT_ADDED.value:
            info = AttachmentInfo.from_data(event.get("data"))
            if info is not None and info.sha256 not in hashes:
                hashes.append(info.sha256)
    return hashes


class _BatchTooLarge(Exception):
    """The server said 413: the batch is halved and sent again."""
