"""Defect 7: the queue finds a case by its complainant (name, phone, ID number, credit code,
typed as people type them), shows it masked, and keeps no clear-text copy for the search."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.domain.credit_code import ALPHABET
from dnw_desk.domain.credit_code import check_character as uscc_check
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.domain.registration import Complainant, ComplainantKind
from dnw_desk.domain.resident_id import check_character
from dnw_desk.services.desk import open_desk
from dnw_desk.services.queue import QueueQuery, QueueService, QueueView
from dnw_desk.store.cases_repo import CaseFilter
from dnw_desk.store.schema import migrate
from dnw_desk.store.search_secret import SECRET_FILE
from dnw_desk.store.tables import complainant_keys
from tests.factories import CLERK, TODAY, desk_at, register, registration


def _id_ending_in_x() -> str:
    for sequence in range(1000):  # one in eleven ends in X
        body = f"34010419850612{sequence:03d}"
        if check_character(body) == "X":
            return body + "X"
    raise AssertionError("no ID ending in X")


ID_X = _id_ending_in_x()
USCC = "91340100MA2" + "ABCDEF"[:6]
USCC = USCC + uscc_check(USCC)
assert all(c in ALPHABET for c in USCC)


def _register_enterprise(desk):  # type: ignore[no-untyped-def]
    enterprise = Complainant(
        ComplainantKind.ENTERPRISE,
        "合肥市恒信科技有限公司",
        "0551-62345678",
        credit_code=USCC,
        contact_person="赵敏",
    )
    return desk.cases.register(
        replace(registration(), complainant=enterprise),
        CLERK,
        categories=desk.settings.categories,
        units=desk.settings.units,
    )


@pytest.fixture
def desk(data_dir: Path):  # type: ignore[no-untyped-def]
    desk, _clock = desk_at(data_dir)
    yield desk
    desk.close()


def _found(desk, text: str, view: QueueView = QueueView.ALL) -> list[str]:  # type: ignore[no-untyped-def]
    service = QueueService(desk.db)
    query = QueueQuery(view=view, filter=CaseFilter(text=text))
    rows = service.page(query, TODAY, 0, 50).rows
    assert service.count(query, TODAY) == len(rows)
    return [row.number for row in rows]


@pytest.mark.parametrize(
    "text",
    [
        "王小明",
        " 王小明 ",
        "13812345678",
        "138 1234 5678",
        "１３８１２３４５６７８",
        "+86 138 1234 5678",
        "+8613812345678",
        ID_X.lower(),
        f"{ID_X[:6]} {ID_X[6:14]} {ID_X[14:]}",
        ID_X.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ")),
    ],
)
def test_a_person_is_found_however_the_number_is_typed(desk, text: str) -> None:  # type: ignore[no-untyped-def]
    wanted = register(desk, name="王小明", phone="13812345678", id_number=ID_X).case.number
    register(desk, name="王小红", phone="13912345678")
    assert _found(desk, text) == [wanted]


@pytest.mark.parametrize(
    "text", ["0551-62345678", "0551 6234 5678", "+86 551 6234 5678", USCC.lower(), "赵敏"]
)
def test_an_enterprise_is_found_by_landline_credit_code_or_contact(desk, text: str) -> None:  # type: ignore[no-untyped-def]
    wanted = _register_enterprise(desk).case.number
    register(desk)
    assert _found(desk, text) == [wanted]


def test_only_whole_values_match_and_the_number_search_still_works(desk) -> None:  # type: ignore[no-untyped-def]
    saved = register(desk, name="王小明", phone="13812345678", service_item="社保转移")
    assert _found(desk, "王小") == []
    assert _found(desk, "1381234567") == []
    assert _found(desk, "13812345679") == []
    assert _found(desk, "社保") == [saved.case.number]
    assert _found(desk, saved.case.number.lower()) == [saved.case.number]


def test_results_are_masked_and_the_index_holds_no_clear_text(desk) -> None:  # type: ignore[no-untyped-def]
    register(desk, name="王小明", phone="13812345678", id_number=ID_X)
    _register_enterprise(desk)
    service = QueueService(desk.db)
    rows = []
    for text in ("王小明", "13812345678", ID_X, USCC, "赵敏"):
        query = QueueQuery(view=QueueView.ALL, filter=CaseFilter(text=text))
        rows.extend(service.page(query, TODAY, 0, 50).rows)
    shown = repr(rows)
    assert contains_unmasked_pii(shown) == []
    assert "王小明" not in shown and "王**" in shown
    with desk.db.read() as conn:
        stored = [row.digest for row in conn.execute(select(complainant_keys))]
    assert len(stored) == 3 + 4  # name, phone, ID; name, contact person, landline, code
    assert all(len(digest) == 32 for digest in stored)
    for value in ("王小明", "+8613812345678", ID_X, USCC, "赵敏"):
        assert all(value.encode() not in digest for digest in stored)
    # The key stays out of the database (and so out of its backups).
    secret = (desk.data_dir / SECRET_FILE).read_bytes()
    assert secret not in desk.db.path.read_bytes()
    assert (desk.data_dir / SECRET_FILE).stat().st_mode & 0o077 == 0


def test_the_search_runs_within_the_chosen_tab(desk) -> None:  # type: ignore[no-untyped-def]
    saved = register(desk, name="王小明")
    assert _found(desk, "王小明", QueueView.OPEN) == [saved.case.number]
    assert _found(desk, "王小明", QueueView.TODAY) == [saved.case.number]


def test_the_upgrade_indexes_the_cases_already_stored(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    person = register(desk, name="王小明", phone="13812345678", id_number=ID_X).case.number
    enterprise = _register_enterprise(desk).case.number
    migrate(desk.db, "0006")  # as a desk of the previous release left it
    desk.close()
    upgraded = open_desk(data_dir, desk.clock)
    try:
        assert _found(upgraded, "王小明") == [person]
        assert _found(upgraded, "138 1234 5678") == [person]
        assert _found(upgraded, ID_X.lower()) == [person]
        assert _found(upgraded, "赵敏") == [enterprise]
        assert _found(upgraded, USCC) == [enterprise]
    finally:
        upgraded.close()


def test_a_database_moved_without_its_key_gets_its_index_rebuilt(data_dir: Path) -> None:
    desk, clock = desk_at(data_dir)
    number = register(desk, name="王小明", phone="13812345678").case.number
    old_secret = (data_dir / SECRET_FILE).read_bytes()
    desk.close()
    (data_dir / SECRET_FILE).unlink()  # copied to a new PC without it, say
    reopened = open_desk(data_dir, clock)
    try:
        assert (data_dir / SECRET_FILE).read_bytes() != old_secret
        assert _found(reopened, "王小明") == [number]
        assert _found(reopened, "138 1234 5678") == [number]
    finally:
        reopened.close()
