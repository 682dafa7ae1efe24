"""``dnw-desk case show``: one case's derived state and whole timeline, masked, for support
staff on the phone with a window; a mistyped or unknown number is a clear message, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dnw_desk.cli import main
from dnw_desk.domain.case import EventType
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.domain.numbering import format_case_number
from dnw_desk.services.handling import MaskedField, handling_for
from tests.factories import (
    CLERK,
    SHIFT_LEAD,
    TODAY,
    VALID_ID,
    desk_at,
    register,
    register_refused,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def handled_case(data_dir: Path) -> str:
    desk, clock = desk_at(data_dir)
    saved = register(desk, name="王小明", phone="13812345678", id_number=VALID_ID)
    case_id = saved.case.id
    handling = handling_for(desk)
    clock.advance(minutes=20)
    handling.perform(case_id, EventType.UNIT_ACCEPTED, CLERK, {"by": "李四"})
    clock.advance(minutes=40)
    handling.perform(case_id, EventType.OPINION_GIVEN, CLERK, {"kind": "handled", "text": "已办结"})
    handling.reveal(case_id, MaskedField.PHONE, "回电告知", SHIFT_LEAD)
    desk.close()
    return saved.case.number


def show(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "case", "show", *args])


def test_show_gives_state_and_whole_timeline_masked(
    data_dir: Path, handled_case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Typed as read over the phone: lower case, spaces instead of dashes.
    assert show(data_dir, handled_case.lower().replace("-", " ")) == 0
    out = capsys.readouterr().out
    assert f"Case {handled_case}" in out
    for text in (
        "Opinion given",  # the derived status
        "2026-11-25 17:30",  # the deadline
        "Registered",
        "Referred to unit",
        "Unit accepted",
        "Handling opinion given",
        "Personal data viewed",
        "Kind: Handled",
        "Clerk wang",
        "王**",
        "138****5678",
    ):
        assert text in out
    assert contains_unmasked_pii(out) == []
    assert "王小明" not in out and VALID_ID not in out
    assert "opinion_given" not in out and "clerk:" not in out  # labels, never keys


def test_json_has_the_same_masked_content(
    data_dir: Path, handled_case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert show(data_dir, handled_case, "--json") == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["number"] == handled_case
    assert data["status"] == "Opinion given"
    assert data["deadline"].startswith("2026-11-25T17:30")
    assert [step["step"] for step in data["timeline"]] == [
        "Registered",
        "Referred to unit",
        "Unit accepted",
        "Handling opinion given",
        "Personal data viewed",
    ]
    assert data["complainant"]["Complainant"] == "王**"
    assert contains_unmasked_pii(out) == []
    assert "王小明" not in out


def test_a_not_accepted_case_is_named_by_its_refusal(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk, _clock = desk_at(data_dir)
    saved = register_refused(desk, "x-petition", "信访事项", "请到信访部门反映")
    desk.close()
    assert show(data_dir, saved.case.number) == 0
    out = capsys.readouterr().out
    assert "信访事项" in out and "x-petition" not in out


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("AH08-20261124-0001A", "check letter"),
        ("AH08-20261124-0099", "check letter"),
        ("nonsense!", "cannot be part of a case number"),
    ],
)
def test_a_mistyped_number_is_named(
    data_dir: Path,
    handled_case: str,
    capsys: pytest.CaptureFixture[str],
    number: str,
    message: str,
) -> None:
    assert show(data_dir, number) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_unknown_number_and_a_missing_database_are_named(
    data_dir: Path, handled_case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unknown = format_case_number("AH", "08", TODAY, 2)  # well-formed, never registered
    assert show(data_dir, unknown) == 1
    assert f"There is no case {unknown}" in capsys.readouterr().err
    assert show(tmp_path / "empty", handled_case) == 1
    assert "There is no desk database" in capsys.readouterr().err
