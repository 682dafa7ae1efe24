from __future__ import annotations

from pathlib import Path

import pytest

from dnw_desk.domain.errors import DomainError, FieldErrors
from dnw_desk.domain.roles import Role
from dnw_desk.services.accounts import (
    AccountService,
    LoginFailed,
    NewAccount,
    hash_password,
    verify_password,
)
from dnw_desk.store import accounts as repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.schema import HEAD_REVISION, open_database, stored_revision


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
