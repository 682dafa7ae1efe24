"""The desk's side of sync (docs/rules.md#sync): push the outbox, pull units' events, report a
status.

Push sends pending ops in outbox order, in batches, and deletes a batch's ops in one local
transaction only after the server's answer names every op in it: a lost request or a lost
response leaves the ops pending, and the resend is harmless because the server is idempotent
by ``op_id``. Pull applies a page of units' events through the domain fold and advances the
cursor in the same local transaction. Nothing here raises on network trouble: it becomes the
status the status bar shows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from pydantic import ValidationError
from sqlalchemy import select

from dnw_desk.clock import Clock, system_clock
from dnw_desk.contract.wire import (
    ANCHOR_PATH,
    BLOB_PATH,
    CALENDAR_KEY_PATH,
    CALENDAR_PATH,
    HALL_NAME_PATH,
    MAX_BATCH,
    PULL_PATH,
    PUSH_PATH,
    UNITS_PATH,
    UNKNOWN_EVENT_TYPE,
    WHOAMI_PATH,
    CalendarKey,
    CalendarRelease,
    HallUnits,
    PulledEvent,
    PullResponse,
    PushResponse,
    TerminalInfo,
)
from dnw_desk.domain.attachments import AttachmentInfo
from dnw_desk.domain.case import Event, EventType, apply_event, fold
from dnw_desk.domain.errors import WorkflowError
from dnw_desk.i18n import _
from dnw_desk.services.settings import read_settings, with_server_units, write_settings
from dnw_desk.store import cases_repo, outbox_queries
from dnw_desk.store.audit import append_audit
from dnw_desk.store.blobs import BlobDamaged, BlobMissing, BlobStore
from dnw_desk.store.database import Database
from dnw_desk.store.tables import case_events
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.enrolment import binding_problem, same_binding, wrong_window_message

log = logging.getLogger(__name__)
StatusKind = Literal["not_enrolled", "synced", "pending", "offline", "error"]
MAX_ROUNDS = 10_000  # bounds every loop; far beyond any real backlog per call
MIN_BATCH = 1


class SyncFailure(Exception):
    def __init__(self, kind: StatusKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


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


UNITS_EVERY = timedelta(hours=1)


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
            self.report_hall_name()
            pushed, duplicates, conflicts = self.push_pending()
            self.pull_updates(changed)
            pulled = len(changed)
            units_changed = self.refresh_units()
            self.anchor_audit()
            installed = self.pull_calendar(changed)
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

    def refresh_units(self) -> bool:
        """Take the hall's unit list, with the server's ids, when the server keeps one: the
        intake then offers those units and referrals carry their ids. Asked for at most once an
        hour (a province's desks sync every 30 s). Whether it changed."""
        now = self.clock()
        with self.db.read() as conn:
            fetched = sync_state.get_value(conn, sync_state.UNITS_FETCHED)
        if fetched is not None and now - datetime.fromisoformat(fetched) < UNITS_EVERY:
            return False
        response = self._request("GET", UNITS_PATH)
        if response.status_code == 404:
            return False  # an older server: the embedded list stays (asked again next round)
        if response.status_code != 200:
            raise SyncFailure("error", _("The server refused the unit list."))
        try:
            listed = HallUnits.model_validate_json(response.content)
        except ValidationError:
            message = _("The server sent a unit list this desk cannot read.")
            raise SyncFailure("error", message) from None
        units = [(unit.name, unit.id) for unit in listed.units]
        with self.db.write() as conn:
            sync_state.set_value(conn, sync_state.UNITS_FETCHED, now.isoformat(), now)
            current = read_settings(conn)
            new = with_server_units(current, units)
            return write_settings(conn, new, actor="system:sync", now=now)

    def report_hall_name(self) -> None:
        """Tell the server the hall's name for its status page, once per name."""
        with self.db.read() as conn:
            name = read_settings(conn).hall_name.strip()
            reported = sync_state.get_value(conn, sync_state.HALL_NAME_REPORTED)
        if not name or name == reported:
            return
        response = self._request("PUT", HALL_NAME_PATH, json={"name": name})
        if response.status_code in (404, 405):
            return  # a server from before hall names: try again after its upgrade
        _raise_for(response)
        now = self.clock()
        with self.db.write() as conn:
            sync_state.set_value(conn, sync_state.HALL_NAME_REPORTED, name, now)

    def anchor_audit(self) -> None:
        """Give the server the head of the audit chain (tamper evidence) — only once the log
        here still holds the entry the server anchored last, so a log rewritten here cannot
        move the anchor past the rewrite."""
        from dnw_desk.contract.wire import AuditAnchor
        from dnw_desk.sync.anchor import compare, local_head

        latest = self._request("GET", ANCHOR_PATH)
        if latest.status_code not in (200, 404):
            _raise_for(latest)
            return  # a server from before anchors (405)
        with self.db.read() as conn:
            head = local_head(conn)
            broken = (
                latest.status_code == 200
                and compare(conn, AuditAnchor.model_validate(latest.json())).state == "broken"
            )
        if head is None:
            return
        response = latest if broken else self._request("POST", ANCHOR_PATH, json=head.model_dump())
        if broken or response.status_code == 409:
            raise SyncFailure(
                "error",
                _(
                    "The server holds another version of this desk's audit log: it was "
                    "changed here. Run `dnw-desk audit verify` and tell the administrator."
                ),
            )
        _raise_for(response)

    def pull_calendar(self, changed: list[str] | None = None) -> bool:
        """Install the server's latest calendar release if it is new and checks out
        (``sync.calendar``); True when one was installed. ``changed`` receives the cases whose
        deadline moved. A refused release changes nothing and shows in the status."""
        from dnw_desk.sync import calendar

        response = self._request("GET", CALENDAR_PATH)
        if response.status_code in (404, 405):
            return False  # nothing published yet, or a server from before calendar releases
        _raise_for(response)
        try:
            release = CalendarRelease.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncFailure("error", _("The server sent an unexpected answer.")) from exc
        with self.db.read() as conn:
            installed_seq = int(sync_state.get_value(conn, sync_state.CALENDAR_SEQ, 0) or 0)
            key = calendar.pinned_key(conn)
        if release.seq == installed_seq:
            return False
        if key is None:
            key = self._pin_calendar_key_on_first_use()
        now = self.clock()
        try:
            override = calendar.verify(release, key, installed_seq)
        except calendar.CalendarRefused as refused:
            log.warning("calendar release %s refused: %s", release.seq, refused)
            calendar.note_refusal(self.db, release, str(refused), now)
            return False
        result = calendar.install(self.db, release, override, now)
        if changed is not None:
            changed.extend(result.changed_case_ids)
        return True

    def _pin_calendar_key_on_first_use(self) -> CalendarKey:
        """A desk enrolled before calendar releases pins the key its server gives now."""
        from dnw_desk.sync import calendar

        response = self._request("GET", CALENDAR_KEY_PATH)
        _raise_for(response)
        try:
            key = CalendarKey.model_validate_json(response.content)
        except ValidationError as exc:
            raise SyncFailure("error", _("The server sent an unexpected answer.")) from exc
        problem = calendar.key_problem(key)
        if problem is not None:
            raise SyncFailure("error", problem)
        now = self.clock()
        with self.db.write() as conn:
            calendar.pin_key(conn, key, now, first_use=True)
        return key

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
            present = self._request("HEAD", path)
            if present.status_code == 200:
                continue
            if present.status_code not in (404, 405):
                _raise_for(present)
            try:
                content = self.blobs.read(sha256)
            except (BlobMissing, BlobDamaged):
                # Pushing the case on matters more than the file: the timeline still names it.
                log.warning("attachment %s is missing or damaged here; not uploaded", sha256)
                continue
            response = self._request(
                "PUT", path, content=content, headers={"Content-Type": "application/octet-stream"}
            )
            _raise_for(response)
            uploaded += 1
        return uploaded

    def _post_batch(self, payloads: list[dict[str, Any]]) -> PushResponse:
        response = self._request("POST", PUSH_PATH, json={"ops": payloads})
        if response.status_code == 413 and self.batch_size > MIN_BATCH:
            self.batch_size = max(MIN_BATCH, self.batch_size // 2)
            raise _BatchTooLarge
        if response.status_code == 403:
            raise self._forbidden()
        _raise_for(response)
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

    # --- pull ----------------------------------------------------------------------------

    def pull_updates(self, changed: list[str] | None = None) -> int:
        """Apply every new page; returns how many events were applied. ``changed`` receives
        the case id of each applied event as its page commits."""
        applied = 0
        changed = [] if changed is None else changed
        for _round in range(MAX_ROUNDS):
            with self.db.read() as conn:
                cursor = int(sync_state.get_value(conn, sync_state.PULL_CURSOR, 0))
            response = self._request(
                "GET", PULL_PATH, params={"cursor": cursor, "limit": self.page_size}
            )
            _raise_for(response)
            try:
                page = PullResponse.model_validate_json(response.content)
            except ValidationError as exc:
                if any(error["type"] == UNKNOWN_EVENT_TYPE for error in exc.errors()):
                    # Newer than this desk: the cursor stays, so nothing is skipped.
                    raise SyncFailure(
                        "error",
                        _("The server sent a step this desk does not know: upgrade this desk."),
                    ) from exc
                raise SyncFailure("error", _("The server sent an unexpected answer.")) from exc
            case_ids = self._apply_page(cursor, page)
            applied += len(case_ids)
            changed.extend(case_ids)
            if not page.has_more or page.next_cursor <= cursor:
                break
        return applied

    def _apply_page(self, cursor: int, page: PullResponse) -> list[str]:
        """The case id of every event applied (one per event), after the page committed."""
        now = self.clock()
        applied: list[str] = []
        with self.db.write() as conn:
            if int(sync_state.get_value(conn, sync_state.PULL_CURSOR, 0)) != cursor:
                return []  # another sync applied this page meanwhile
            for pulled in page.events:
                if _apply_pulled(conn, pulled, now):
                    applied.append(pulled.case_id)
            sync_state.set_value(conn, sync_state.PULL_CURSOR, page.next_cursor, now)
        return applied

    # --- HTTP ----------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise SyncFailure("offline", _("The server cannot be reached.")) from exc


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


def _raise_for(response: httpx.Response) -> None:
    code = response.status_code
    if code < 400:
        return
    if code == 401:
        raise SyncFailure("error", _("The server refused this terminal's credential; enrol again."))
    if code == 403:
        raise SyncFailure("error", _("The server says this terminal may not send these cases."))
    if code in (408, 425, 429) or code >= 500:
        raise SyncFailure("offline", _("The server is not available right now."))
    if code == 422 and _names_unknown_event_type(response):
        raise SyncFailure(
            "error",
            _(
                "The server is older than this desk and does not know one of its steps: "
                "upgrade the server first. Nothing is lost: the steps wait in the outbox."
            ),
        )
    raise SyncFailure("error", _("The server refused the request ({status}).").format(status=code))


def _names_unknown_event_type(response: httpx.Response) -> bool:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return False
    return isinstance(detail, list) and any(
        isinstance(item, dict) and item.get("type") == UNKNOWN_EVENT_TYPE for item in detail
    )


def _apply_pulled(conn: Any, pulled: PulledEvent, now: datetime) -> bool:
    """Fold one unit's event into the local timeline (True); a refusal becomes a conflict."""
    exists = conn.execute(select(case_events.c.id).where(case_events.c.id == pulled.event.id))
    if exists.first() is not None:
        return False
    events = cases_repo.load_events(conn, pulled.case_id)
    event = Event(
        pulled.event.id,
        pulled.case_id,
        pulled.event.type,
        pulled.event.at,
        pulled.event.actor,
        pulled.event.data,
    )
    server_version = pulled.model_dump(mode="json")
    if not events:
        sync_state.record_conflict(
            conn,
            direction="pull",
            code="unknown_case",
            message=_("The server sent an event for a case this desk does not have."),
            now=now,
            case_id=pulled.case_id,
            case_no=pulled.case_no,
            event_id=pulled.event.id,
            server_version=server_version,
        )
        return False
    try:
        state = apply_event(fold(events), event)
    except WorkflowError as exc:
        sync_state.record_conflict(
            conn,
            direction="pull",
            code="workflow",
            message=str(exc),
            now=now,
            case_id=pulled.case_id,
            case_no=pulled.case_no,
            event_id=pulled.event.id,
            local_version=[
                {"id": e.event_id, "type": e.type.value, "at": e.at.isoformat()} for e in events
            ],
            server_version=server_version,
        )
        return False
    seq = len(events) + 1
    cases_repo.insert_events(conn, [(event, seq)], now, origin="server")
    cases_repo.store_state(conn, pulled.case_id, state, seq, now)
    append_audit(
        conn,
        at=now,
        actor="sync",
        action=f"sync.{event.type.value}",
        case_id=pulled.case_id,
        detail={"number": pulled.case_no, "event_id": event.event_id, "revision": pulled.revision},
    )
    return True
