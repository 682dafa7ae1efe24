"""Portal sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS),
stored as its SHA-256; a per-session CSRF token every form posts back; an idle timeout."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from dnw_desk.server.core.security import token_hash
from dnw_desk.server.people import Person, get_person
from dnw_desk.server.tables import people, portal_sessions

COOKIE = "dnw_portal"
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)  # a session ends after a working day even if kept busy
# last_seen_at is written at most this often: a page view is then a read, not a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Session:
    person: Person
    csrf: str
    token_hash: str

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf, str(sent))


def start_session(conn: Connection, person: Person, now: datetime) -> tuple[str, Session]:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    hashed = token_hash(token)
    conn.execute(
        insert(portal_sessions).values(
            token_hash=hashed, person_id=person.id, csrf=csrf, created_at=now, last_seen_at=now
        )
    )
    return token, Session(person, csrf, hashed)


def find_session(conn: Connection, token: str | None, now: datetime) -> Session | None:
    """The live session of this cookie; an expired one is deleted and None returned."""
    if not token or len(token) > 128:
        return None
    hashed = token_hash(token)
    row = conn.execute(
        select(portal_sessions).where(portal_sessions.c.token_hash == hashed)
    ).first()
    if row is None:
        return None
    person = get_person(conn, int(row.person_id))
    expired = now - row.last_seen_at > IDLE_TIMEOUT or now - row.created_at > MAX_AGE
    if expired or person is None or person.disabled:
        conn.execute(delete(portal_sessions).where(portal_sessions.c.token_hash == hashed))
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        conn.execute(
            update(portal_sessions)
            .where(portal_sessions.c.token_hash == hashed)
            .values(last_seen_at=now)
        )
    return Session(person, row.csrf, hashed)


def end_session(conn: Connection, hashed: str) -> None:
    conn.execute(delete(portal_sessions).where(portal_sessions.c.token_hash == hashed))


def end_sessions_of(conn: Connection, login: str) -> None:
    """Every session of a login (disabled, or its password reset)."""
    ids = select(people.c.id).where(people.c.login == login).scalar_subquery()
    conn.execute(delete(portal_sessions).where(portal_sessions.c.person_id == ids))
