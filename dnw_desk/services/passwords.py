"""Password hashes and the login verdict, without SQLAlchemy: the account service and the
early login (before the database is fully open) judge a login by the same code.

Passwords are stored as salted scrypt hashes in a self-describing string
(``scrypt$n$r$p$salt$hash``, base64), so the cost can be raised later without breaking old
hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from dnw_desk.domain.errors import DomainError
from dnw_desk.i18n import _

# scrypt cost: n=2**14, r=8 takes ~40 ms and 16 MiB: unnoticeable at login, slow for guessing.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16


class LoginFailed(DomainError):
    """Wrong login or password (one message for both, so logins cannot be probed)."""


class AccountDisabled(LoginFailed):
    """The password is right but an admin disabled the account. Said only after the right
    password, so it tells a prober nothing."""


@dataclass(frozen=True)
class LoginAttempt:
    """One try at an existing account, to be recorded and audit-logged."""

    login: str
    at: datetime
    ok: bool
    disabled: bool  # the password was right, the account disabled


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


def judge_login(
    login: str, password: str, stored: str | None, active: bool, at: datetime
) -> LoginAttempt | None:
    """Check ``password`` against the account's ``stored`` hash (None: no such account).

    Returns the attempt to record (None without an account), or raises ``LoginFailed`` /
    ``AccountDisabled`` — after the caller recorded the attempt (see ``refuse``)."""
    if stored is None:
        return None
    right = verify_password(password, stored)
    return LoginAttempt(login, at, ok=right and active, disabled=right and not active)


def refuse(attempt: LoginAttempt | None) -> None:
    """Raise unless ``attempt`` succeeded."""
    if attempt is None or not (attempt.ok or attempt.disabled):
        raise LoginFailed(_("Wrong login or password."))
    if attempt.disabled:
        raise AccountDisabled(
            _("This account is disabled. Ask an admin of this desk to enable it.")
        )
