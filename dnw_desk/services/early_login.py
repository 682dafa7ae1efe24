"""Logging in while the rest of the desk still loads (docs/architecture.md#performance-budgets).

The start-up offers the login as soon as the data dir is locked: the password is checked against
the accounts table with plain ``sqlite3`` and the same verdict as ``AccountService`` (SQLAlchemy
and the screens load meanwhile). The attempts are kept and handed to
``AccountService.record_attempts`` once the database is open, so each is counted and
audit-logged as any other.
"""

from __future__ import annotations

import threading
from pathlib import Path

from dnw_desk.clock import Clock, system_clock
from dnw_desk.domain.roles import Actor, Role
from dnw_desk.services.passwords import LoginAttempt, judge_login, refuse
from dnw_desk.store.early_login import login_record


class EarlyLogin:
    def __init__(self, data_dir: Path, clock: Clock = system_clock) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self._attempts: list[LoginAttempt] = []
        self._guard = threading.Lock()

    def authenticate(self, login: str, password: str) -> Actor:
        """The account's actor when the password is right; ``LoginFailed`` otherwise."""
        login = login.strip()
        now = self.clock()
        record = login_record(self.data_dir, login)
        stored = record.password_hash if record is not None else None
        attempt = judge_login(login, password, stored, record is not None and record.active, now)
        if attempt is not None:
            with self._guard:
                self._attempts.append(attempt)
        refuse(attempt)
        assert record is not None
        return Actor(record.login, record.clerk_no, Role(record.role), record.display_name)

    def take_attempts(self) -> list[LoginAttempt]:
        """The attempts not yet recorded (each is handed out once)."""
        with self._guard:
            taken, self._attempts = self._attempts, []
        return taken
