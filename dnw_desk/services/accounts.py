"""Local staff accounts: create, log in, change password; the admin resets passwords, disables,
enables and changes roles.

Passwords are stored as salted scrypt hashes in a self-describing string
(``scrypt$n$r$p$salt$hash``, base64), so the cost can be raised later without breaking old
hashes. Every change is audit-logged in the same transaction; the audit detail never holds the
password or its hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from dnw_desk.clock import Clock, system_clock
from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.roles import Actor, Permission, Role, may
from dnw_desk.i18n import _
from dnw_desk.services.changes import Changes
from dnw_desk.store import accounts as repo
from dnw_desk.store.accounts import AccountRow
from dnw_desk.store.audit import append_audit
from dnw_desk.store.database import Database

# scrypt cost: n=2**14, r=8 takes ~40 ms and 16 MiB: unnoticeable at login, slow for guessing.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
MIN_PASSWORD = 6
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
CLERK_NO_PATTERN = re.compile(r"^[0-9A-Za-z]{1,16}$")


class LoginFailed(DomainError):
    """Wrong login or password (one message for both, so logins cannot be probed)."""


class AccountDisabled(LoginFailed):
    """The password is right but an admin disabled the account. Said only after the right
    password, so it tells a prober nothing."""


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024
    )
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class NewAccount:
    login: str
    clerk_no: str
    role: Role
    password: str
    display_name: str = ""


def check_new_account(account: NewAccount) -> dict[str, str]:
    """Field → message for everything wrong with a new account (empty when it is fine)."""
    errors: dict[str, str] = {}
    if not LOGIN_PATTERN.match(account.login.strip()):
        errors["login"] = _("A login is 2–32 letters, digits, dots, dashes or underscores.")
    if not CLERK_NO_PATTERN.match(account.clerk_no.strip()):
        errors["clerk_no"] = _("A clerk number is 1–16 letters or digits.")
    password_error = check_password(account.password)
    if password_error:
        errors["password"] = password_error
    return errors


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        return _("The password needs at least {count} characters.").format(count=MIN_PASSWORD)
    return ""


class AccountService:
    def __init__(self, db: Database, clock: Clock = system_clock) -> None:
        self.db = db
        self.clock = clock

    def has_accounts(self) -> bool:
        with self.db.read() as conn:
            return repo.count_accounts(conn) > 0

    def list(self) -> list[AccountRow]:
        with self.db.read() as conn:
            return repo.list_accounts(conn)

    def create(self, account: NewAccount, by: Actor | None) -> Changes:
        """Create an account. ``by`` is None only for the first admin (the setup wizard)."""
        errors = check_new_account(account)
        login, clerk_no = account.login.strip(), account.clerk_no.strip()
        now = self.clock()
        with self.db.write() as conn:
            first = repo.count_accounts(conn) == 0
            if by is None and not (first and account.role is Role.ADMIN):
                raise DomainError(_("Only an admin can create accounts."))
            if by is not None and not may(by.role, Permission.ADMINISTER):
                raise DomainError(_("Only an admin can create accounts."))
            if repo.get_account(conn, login) is not None:
                errors["login"] = _("This login is taken.")
            if repo.clerk_no_taken(conn, clerk_no):
                errors["clerk_no"] = _("This clerk number belongs to another account.")
            if errors:
                raise FieldErrors(errors)
            repo.insert_account(
                conn,
                {
                    "login": login,
                    "clerk_no": clerk_no,
                    "display_name": account.display_name.strip(),
                    "role": account.role.value,
                    "password_hash": hash_password(account.password),
                    "active": True,
                    "failed_logins": 0,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            append_audit(
                conn,
                at=now,
                actor=by.audit_name if by else f"setup:{login}",
                action="account.created",
                detail={"login": login, "role": account.role.value},
            )
        return Changes(accounts=True)

    def authenticate(self, login: str, password: str) -> Actor:
        """The account's actor when the password is right; ``LoginFailed`` otherwise."""
        login = login.strip()
        now = self.clock()
        with self.db.read() as conn:
            row = repo.get_account(conn, login)
            stored = repo.password_hash_of(conn, login)
        right = row is not None and stored is not None and verify_password(password, stored)
        if row is not None:
            self._log_attempt(login, now, right and row.active, disabled=right and not row.active)
        if not right or row is None:
            raise LoginFailed(_("Wrong login or password."))
        if not row.active:
            raise AccountDisabled(
                _("This account is disabled. Ask an admin of this desk to enable it.")
            )
        return Actor(row.login, row.clerk_no, row.role, row.display_name)

    def _log_attempt(self, login: str, at: datetime, ok: bool, *, disabled: bool) -> None:
        action = "account.login" if ok else "account.login_failed"
        detail: dict[str, str] = {"login": login}
        if disabled:
            detail["reason"] = "disabled"
        with self.db.write() as conn:
            repo.record_login(conn, login, at, ok=ok)
            append_audit(conn, at=at, actor=f"login:{login}", action=action, detail=detail)

    def change_password(self, login: str, old: str, new: str) -> Changes:
        self.authenticate(login, old)
        error = check_password(new)
        if error:
            raise FieldErrors({"password": error})
        now = self.clock()
        with self.db.write() as conn:
            repo.update_account(
                conn, login, {"password_hash": hash_password(new), "updated_at": now}
            )
            append_audit(
                conn,
                at=now,
                actor=f"login:{login}",
                action="account.password_changed",
                detail={"login": login},
            )
        return Changes(accounts=True)

    # --- the admin's changes to existing accounts -----------------------------------------

    def reset_password(self, login: str, new: str, by: Actor) -> Changes:
        """Set a forgotten password; the holder should change it at the next login."""
        error = check_password(new)
        if error:
            raise FieldErrors({"password": error})
        with self._admin_change(login, by) as (conn, _row, now):
            repo.update_account(
                conn,
                login,
                {"password_hash": hash_password(new), "failed_logins": 0, "updated_at": now},
            )
            append_audit(
                conn,
                at=now,
                actor=by.audit_name,
                action="account.password_reset",
                detail={"login": login},
            )
        return Changes(accounts=True)

    def set_active(self, login: str, active: bool, by: Actor) -> Changes:
        """Disable (cannot log in, keeps its history) or enable an account again."""
        with self._admin_change(login, by) as (conn, row, now):
            if not active:
                _refuse_losing_last_admin(conn, row, _("The last active admin cannot be disabled."))
            repo.update_account(conn, login, {"active": active, "updated_at": now})
            append_audit(
                conn,
                at=now,
                actor=by.audit_name,
                action="account.enabled" if active else "account.disabled",
                detail={"login": login},
            )
        return Changes(accounts=True)

    def change_role(self, login: str, role: Role, by: Actor) -> Changes:
        with self._admin_change(login, by) as (conn, row, now):
            if role is not Role.ADMIN:
                _refuse_losing_last_admin(
                    conn, row, _("The last active admin cannot be given another role.")
                )
            repo.update_account(conn, login, {"role": role.value, "updated_at": now})
            append_audit(
                conn,
                at=now,
                actor=by.audit_name,
                action="account.role_changed",
                detail={"login": login, "from": row.role.value, "to": role.value},
            )
        return Changes(accounts=True)

    @contextmanager
    def _admin_change(
        self, login: str, by: Actor
    ) -> Iterator[tuple[Connection, AccountRow, datetime]]:
        """A write transaction on an existing account, for an admin only."""
        if not may(by.role, Permission.ADMINISTER):
            raise DomainError(_("Only an admin can change accounts."))
        now = self.clock()
        with self.db.write() as conn:
            row = repo.get_account(conn, login)
            if row is None:
                raise DomainError(_("This account no longer exists."))
            yield conn, row, now


def _refuse_losing_last_admin(conn: Connection, row: AccountRow, message: str) -> None:
    """Without an active admin nobody could manage accounts or settings on this desk again."""
    if row.active and row.role is Role.ADMIN and repo.count_active_admins(conn) <= 1:
        raise DomainError(message)
