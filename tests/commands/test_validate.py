from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dnw_desk.cli import main

pytestmark = pytest.mark.usefixtures("english")


def test_valid_id_exits_0_with_its_details(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "id", "11010519491231002x"]) == 0
    assert capsys.readouterr().out == (
        "Valid: 11010519491231002X (Resident ID card, Female, born 1949-12-31).\n"
    )


def test_invalid_id_exits_1_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "id", "110105491231002"]) == 1
    assert "15-digit first-generation" in capsys.readouterr().out


def test_id_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "id", "810000199001011234", "--json"]) == 1
    failed = json.loads(capsys.readouterr().out)
    assert failed["valid"] is False
    assert failed["error"] == "id.check"
    assert failed["birth_date"] is None

    from dnw_desk.domain.resident_id import check_character

    permit = "81000019900101123" + check_character("81000019900101123")
    assert main(["validate", "id", permit, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "valid": True,
        "normalized": permit,
        "message": data["message"],
        "error": None,
        "warnings": [],
        "birth_date": "1990-01-01",
        "sex": "male",
        "kind": "hmt_residence_permit",
    }


def test_id_warnings_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from dnw_desk.domain.resident_id import check_character

    number = "11000519491231002" + check_character("11000519491231002")
    assert main(["validate", "id", number]) == 0
    assert "110005 is not a known region" in capsys.readouterr().out


def test_uscc(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "uscc", "9111 0000 6000 3734 1l"]) == 0
    assert capsys.readouterr().out == "Valid: 91110000600037341L.\n"
    assert main(["validate", "uscc", "91110000600037341M", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["valid"], data["error"]) == (False, "uscc.check")
    assert "birth_date" not in data


def test_phone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "phone", "010-12345678", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["normalized"], data["display"], data["line"]) == (
        "+861012345678",
        "010-1234 5678",
        "landline",
    )
    assert main(["validate", "phone", "400-810-8888"]) == 1
    assert "service number" in capsys.readouterr().out


def test_unknown_kind_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as raised:
        main(["validate", "passport", "E12345678"])
    assert raised.value.code == 2


def test_command_line_speaks_chinese_by_default() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "dnw_desk.cli", "validate", "id", "110105491231002"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "15位第一代身份证号码" in done.stdout
