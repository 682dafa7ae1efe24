from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.roles import Actor, Role
from dnw_desk.services.accounts import (
    AccountDisabled,
    AccountService,
    LoginFailed,
    NewAccount,
    hash_password,
    verify_password,
)
from dnw_desk.store import accounts as repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.instance import HEAD_REVISION
from dnw_desk.store.schema import open_database, stored_revision
from dnw_desk.store.tables import audit_log


def test_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("geheim1", n=2**10), hash_password("geheim1", n=2**10)
    assert first != second
    assert verify_password("geheim1", first)
    assert not verify_password("geheim2", first)
    assert not verify_password("geheim1", "garbage")


def test_first_admin_then_login(data_dir: Path) -> None:
    db = open_database(data_dir)
    assert stored_revision(db.path) == HEAD_REVISION
    service = AccountService(db)
    assert not service.has_accounts()
    service.create(NewAccount("admin", "0800", Role.ADMIN, "secret1"), by=None)
    admin = service.authenticate("admin", "secret1")
    assert admin.role is Role.ADMIN and admin.clerk_no == "0800"
    service.create(NewAccount("wang", "0815", Role.CLERK, "secret2"), by=admin)
    with pytest.raises(LoginFailed):
        service.authenticate("wang", "wrong")
    with pytest.raises(LoginFailed):
        service.authenticate("nobody", "secret2")
    clerk = service.authenticate("wang", "secret2")
    with pytest.raises(DomainError):
        service.create(NewAccount("li", "0816", Role.CLERK, "secret3"), by=clerk)
    with pytest.raises(FieldErrors) as caught:
        service.create(NewAccount("wang", "0800", Role.CLERK, "x"), by=admin)
    assert set(caught.value.errors) == {"login", "clerk_no", "password"}
    with db.read() as conn:
        assert "secret" not in str(conn.execute(repo.accounts.select()).all())
        assert verify_chain(conn).ok
    db.close()


def test_second_account_needs_an_admin(data_dir: Path) -> None:
    db = open_database(data_dir)
    service = AccountService(db)
    with pytest.raises(DomainError):
        service.create(NewAccount("wang", "0815", Role.CLERK, "secret2"), by=None)
    db.close()


def _desk_with_staff(data_dir: Path) -> tuple[AccountService, Actor]:
    service = AccountService(open_database(data_dir))
    service.create(NewAccount("admin", "0800", Role.ADMIN, "secret1"), by=None)
    admin = service.authenticate("admin", "secret1")
    service.create(NewAccount("wang", "0815", Role.CLERK, "secret2"), by=admin)
    return service, admin


def _audit_actions(service: AccountService) -> list[tuple[str, str, dict[str, object]]]:
    with service.db.read() as conn:
        assert verify_chain(conn).ok
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail))
        return [(r.actor, r.action, dict(r.detail)) for r in rows]


def test_admin_resets_a_forgotten_password(data_dir: Path, english: None) -> None:
    service, admin = _desk_with_staff(data_dir)
    with pytest.raises(FieldErrors):
        service.reset_password("wang", "x", by=admin)
    service.reset_password("wang", "fresh-pass", by=admin)
    with pytest.raises(LoginFailed):
        service.authenticate("wang", "secret2")
    clerk = service.authenticate("wang", "fresh-pass")
    with pytest.raises(DomainError, match="Only an admin"):
        service.reset_password("admin", "taken-over", by=clerk)
    assert ("admin:admin", "account.password_reset", {"login": "wang"}) in [
        (actor, action, {k: v for k, v in detail.items() if k != "rows"})
        for actor, action, detail in _audit_actions(service)
    ]
    with service.db.read() as conn:
        assert "fresh-pass" not in str(conn.execute(audit_log.select()).all())
    service.db.close()


def test_a_disabled_account_cannot_log_in_until_enabled(data_dir: Path, english: None) -> None:
    service, admin = _desk_with_staff(data_dir)
    service.set_active("wang", False, by=admin)
    assert not next(a for a in service.list() if a.login == "wang").active
    with pytest.raises(AccountDisabled, match="disabled"):
        service.authenticate("wang", "secret2")
    # A wrong password still gets the one message that does not tell accounts apart.
    with pytest.raises(LoginFailed) as caught:
        service.authenticate("wang", "wrong")
    assert not isinstance(caught.value, AccountDisabled)
    service.set_active("wang", True, by=admin)
    assert service.authenticate("wang", "secret2").login == "wang"
    actions = [(actor, action) for actor, action, _detail in _audit_actions(service)]
    assert ("admin:admin", "account.disabled") in actions
    assert ("admin:admin", "account.enabled") in actions
    service.db.close()


def test_the_last_active_admin_stays(data_dir: Path, english: None) -> None:
    service, admin = _desk_with_staff(data_dir)
    with pytest.raises(DomainError, match="last active admin cannot be disabled"):
        service.set_active("admin", False, by=admin)
    with pytest.raises(DomainError, match="last active admin cannot be given another role"):
        service.change_role("admin", Role.CLERK, by=admin)
    service.change_role("wang", Role.ADMIN, by=admin)
    assert service.authenticate("wang", "secret2").role is Role.ADMIN
    service.set_active("admin", False, by=admin)  # another admin is left
    with pytest.raises(DomainError, match="last active admin"):
        service.change_role("wang", Role.SHIFT_LEAD, by=admin)
    audit = _audit_actions(service)
    changed = [d for _a, action, d in audit if action == "account.role_changed"]
    assert [(d["login"], d["from"], d["to"]) for d in changed] == [("wang", "clerk", "admin")]
    service.db.close()
