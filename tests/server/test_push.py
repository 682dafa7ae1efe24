from __future__ import annotations

import copy
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dnw_desk.contract.wire import PUSH_PATH
from dnw_desk.domain.case import Event, EventType
from dnw_desk.server import credentials
from dnw_desk.server.core.db import ServerDatabase
from dnw_desk.server.ops import Incoming, apply_ops
from dnw_desk.server.tables import applied_ops, case_events, cases
from dnw_desk.services.cases import CaseService, Terminal
from tests.factories import VALID_ID, desk_at, register
from tests.server.conftest import Credentials
from tests.server.helpers import outbox_payloads


def _count(db: ServerDatabase, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_push_applies_once_and_repeats_return_the_stored_result(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    desk, _clock = desk_at(data_dir)
    saved = register(desk, id_number=VALID_ID)
    ops = outbox_payloads(desk)
    headers = tokens.headers(tokens.terminal)

    first = client.post(PUSH_PATH, json={"ops": ops}, headers=headers)
    assert first.status_code == 200
    results = first.json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied"]
    revisions = [r["revision"] for r in results]
    assert revisions == sorted(revisions) and len(set(revisions)) == 2

    again = client.post(PUSH_PATH, json={"ops": ops}, headers=headers).json()["results"]
    assert [r["outcome"] for r in again] == ["duplicate", "duplicate"]
    assert [r["revision"] for r in again] == revisions
    assert _count(server_db, case_events) == 2
    assert _count(server_db, applied_ops) == 2
    with server_db.read() as conn:
        row = conn.execute(select(cases)).one()
    assert row.number == saved.case.number
    assert row.status == "referred"
    assert row.lead_unit == saved.case.lead_unit
    assert row.deadline == saved.case.deadline


def test_same_op_id_with_another_payload_is_refused(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    ops = outbox_payloads(desk)
    headers = tokens.headers(tokens.terminal)
    client.post(PUSH_PATH, json={"ops": ops}, headers=headers)
    tampered = copy.deepcopy(ops[1])
    tampered["event"]["data"]["unit"] = "省教育厅"
    result = client.post(PUSH_PATH, json={"ops": [tampered]}, headers=headers).json()["results"]
    assert result[0]["outcome"] == "conflict"
    assert result[0]["status"] == 409
    assert result[0]["code"] == "payload_mismatch"
    assert _count(server_db, case_events) == 2


def test_a_batch_repeating_an_op_applies_it_once(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    ops = outbox_payloads(desk)
    body = {"ops": [ops[0], ops[0], ops[1], ops[1]]}
    results = client.post(PUSH_PATH, json=body, headers=tokens.headers(tokens.terminal)).json()
    outcomes = [r["outcome"] for r in results["results"]]
    assert outcomes == ["applied", "duplicate", "applied", "duplicate"]
    assert results["results"][1]["revision"] == results["results"][0]["revision"]
    assert _count(server_db, case_events) == 2


def test_ops_for_another_window_are_forbidden_and_nothing_is_applied(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    ops = outbox_payloads(desk)
    response = client.post(
        PUSH_PATH, json={"ops": ops}, headers=tokens.headers(tokens.other_terminal)
    )
    assert response.status_code == 403
    # A window that claims to be ours but carries another window's number is refused too.
    forged = copy.deepcopy(ops)
    for op in forged:
        op["window"] = "09"
    response = client.post(
        PUSH_PATH, json={"ops": forged}, headers=tokens.headers(tokens.other_terminal)
    )
    assert response.status_code == 403
    assert _count(server_db, case_events) == 0


def test_a_case_of_another_window_cannot_be_touched(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, tmp_path: Path
) -> None:
    desk, _clock = desk_at(tmp_path / "desk8")
    register(desk)
    ops = outbox_payloads(desk)
    client.post(PUSH_PATH, json={"ops": ops}, headers=tokens.headers(tokens.terminal))
    # Window 09 pushes an event for window 08's case id under its own (valid) number.
    other, _clock = desk_at(tmp_path / "desk9")
    other.cases = CaseService(
        other.db, Terminal("AH", "09"), other.deadlines.deadline_for, other.clock
    )
    register(other)
    theirs = outbox_payloads(other)
    hijack = copy.deepcopy(theirs[1])
    hijack["op_id"] = str(uuid.uuid4())
    hijack["case_id"] = ops[0]["case_id"]
    response = client.post(
        PUSH_PATH, json={"ops": [hijack]}, headers=tokens.headers(tokens.other_terminal)
    )
    assert response.status_code == 403
    assert _count(server_db, case_events) == 2


def test_credentials_are_required_and_revocation_is_immediate(
    client: TestClient, tokens: Credentials, server_db: ServerDatabase, data_dir: Path
) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    body = {"ops": outbox_payloads(desk)}
    assert client.post(PUSH_PATH, json=body).status_code == 401
    assert (
        client.post(PUSH_PATH, json=body, headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    assert (
        client.post(PUSH_PATH, json=body, headers={"Authorization": "Basic abc"}).status_code == 401
    )
    assert client.post(PUSH_PATH, json=body, headers=tokens.headers(tokens.unit)).status_code == 401
    with server_db.write() as conn:
        assert credentials.revoke_terminal(conn, tokens.terminal_id, datetime.now(UTC))
    response = client.post(PUSH_PATH, json=body, headers=tokens.headers(tokens.terminal))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert _count(server_db, case_events) == 0


def test_workflow_conflicts_come_back_as_409_with_the_server_version(
    client: TestClient, tokens: Credentials, data_dir: Path
) -> None:
    desk, _clock = desk_at(data_dir)
    register(desk)
    ops = outbox_payloads(desk)
    headers = tokens.headers(tokens.terminal)
    client.post(PUSH_PATH, json={"ops": ops}, headers=headers)
    closing = copy.deepcopy(ops[1])
    closing["op_id"] = str(uuid.uuid4())
    closing["seq"] = 3
    closing["event"] = {**closing["event"], "id": str(uuid.uuid4()), "type": "closed", "data": {}}
    [result] = client.post(PUSH_PATH, json={"ops": [closing]}, headers=headers).json()["results"]
    assert result["outcome"] == "conflict" and result["code"] == "workflow"
    assert result["server_version"]["status"] == "referred"
    assert [e["type"] for e in result["server_version"]["events"]] == ["registered", "referred"]
    # The registration's personal data is never part of the server version.
    assert result["server_version"]["events"][0]["data"] == {}
    # An event for a case the server never saw registered is a conflict too.
    orphan = copy.deepcopy(closing)
    orphan["op_id"] = str(uuid.uuid4())
    orphan["case_id"] = str(uuid.uuid4())
    [result] = client.post(PUSH_PATH, json={"ops": [orphan]}, headers=headers).json()["results"]
    assert result["code"] in ("unknown_case", "number_taken")


@pytest.mark.parametrize("n_cases", [1, 15])  # 15 cases: 30 rows, the COPY path on PostgreSQL
def test_concurrent_delivery_of_one_op_has_one_effect(
    server_db: ServerDatabase, tokens: Credentials, data_dir: Path, n_cases: int
) -> None:
    desk, _clock = desk_at(data_dir)
    for _case in range(n_cases):
        register(desk)
    ops = outbox_payloads(desk)

    def incoming(op: dict[str, object]) -> Incoming:
        event = op["event"]
        assert isinstance(event, dict)
        return Incoming(
            op_id=str(op["op_id"]),
            fingerprint="same",
            case_no=str(op["case_no"]),
            event=Event(
                event["id"],
                str(op["case_id"]),
                EventType(event["type"]),
                datetime.fromisoformat(event["at"]),
                event["actor"],
                event["data"],
            ),
            origin="desk",
            source=f"terminal:{tokens.terminal_id}",
            case_id=str(op["case_id"]),
            desk_seq=int(op["seq"]),  # type: ignore[call-overload]
            hall="AH",
            window="08",
            terminal_id=tokens.terminal_id,
        )

    items = [incoming(op) for op in ops]
    barrier = threading.Barrier(6)
    outcomes: list[list[str]] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            results = apply_ops(server_db, items, lambda _i, _v: None, datetime.now(UTC))
            outcomes.append([r.outcome for r in results])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    applied = ["applied"] * len(ops)
    duplicate = ["duplicate"] * len(ops)
    assert sorted(outcomes) == sorted([applied] + [duplicate] * 5)
    assert _count(server_db, case_events) == len(ops)
    assert _count(server_db, cases) == n_cases
