"""Local staff accounts: create, log in, change password (DESIGN §7).

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
from dataclasses import dataclass
from datetime import datetime

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
        ok = row is not None and row.active and stored is not None
        ok = ok and verify_password(password, stored or "")
        if row is not None:
            self._log_attempt(login, now, ok)
        if not ok or row is None:
            raise LoginFailed(_("Wrong login or password."))
        return Actor(row.login, row.clerk_no, row.role)

    def _log_attempt(self, login: str, at: datetime, ok: bool) -> None:
        with self.db.write() as conn:
            repo.record_login(conn, login, at, ok=ok)
            append_audit(
                conn,
                at=at,
                actor=f"login:{login}",
                action="account.login" if ok else "account.login_failed",
                detail={"login": login},
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
