"""Local staff accounts: create, log in, change password; the admin resets passwords, disables,
enables and changes roles.

Passwords are stored as salted scrypt hashes (``services.passwords``). Every change is
audit-logged in the same transaction; the audit detail never holds the password or its hash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from dnw_desk.clock import Clock, system_clock
from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.roles import Actor, Permission, Role, may
from dnw_desk.i18n import _
from dnw_desk.services.changes import Changes
from dnw_desk.services.passwords import (
    AccountDisabled,
    LoginAttempt,
    LoginFailed,
    hash_password,
    judge_login,
    refuse,
    verify_password,
)
from dnw_desk.store import accounts as repo
from dnw_desk.store.accounts import AccountRow
from dnw_desk.store.audit import append_audit
from dnw_desk.store.database import Database

# Re-exported: callers know them from here.
__all__ = ["AccountDisabled", "LoginFailed", "hash_password", "verify_password"]

MIN_PASSWORD = 6
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
CLERK_NO_PATTERN = re.compile(r"^[0-9A-Za-z]{1,16}$")


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
            stored = repo.password_hash_of(conn, login) if row is not None else None
        attempt = judge_login(login, password, stored, row is not None and row.active, now)
        if attempt is not None:
            self.record_attempts([attempt])
        refuse(attempt)
        assert row is not None
        return Actor(row.login, row.clerk_no, row.role, row.display_name)

    def record_attempts(self, attempts: Sequence[LoginAttempt]) -> None:
        """Count and audit-log login attempts (also those the early login judged)."""
        if not attempts:
            return
        with self.db.write() as conn:
            for attempt in attempts:
                action = "account.login" if attempt.ok else "account.login_failed"
                detail: dict[str, str] = {"login": attempt.login}
                if attempt.disabled:
                    detail["reason"] = "disabled"
                repo.record_login(conn, attempt.login, attempt.at, ok=attempt.ok)
                append_audit(
                    conn,
                    at=attempt.at,
                    actor=f"login:{attempt.login}",
                    action=action,
                    detail=detail,
                )

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
