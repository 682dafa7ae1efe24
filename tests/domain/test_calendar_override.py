"""The override file: format, refusals with problem and line, atomic install, example file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.calendar_override import OverrideError, parse_override
from dnw_desk.i18n import set_language
from dnw_desk.paths import resource_path
from dnw_desk.store.calendar_file import (
    install_override,
    installed_override_path,
    load_calendar,
    read_override,
)

GOOD = """\
source = "国务院办公厅关于2027年部分节假日安排的通知"
version = "2027.1"
complete_years = [2027]

[[holiday]]
name = "元旦"
dates = [2027-01-01, 2027-01-02, 2027-01-03]

[[workday]]
name = "春节调休上班"
date = "2027-02-20"
"""


pytestmark = pytest.mark.usefixtures("english")


def test_good_file_parses() -> None:
    override = parse_override(GOOD)
    assert override.version == "2027.1"
    assert override.complete_years == {2027}
    assert set(override.holidays) == {date(2027, 1, d) for d in (1, 2, 3)}
    assert override.holidays[date(2027, 1, 1)] == "元旦"
    assert override.day(date(2027, 2, 20)) is True  # a Saturday, as a string date
    assert override.day(date(2027, 3, 6)) is False  # an ordinary Saturday of a complete year
    assert override.day(date(2028, 1, 3)) is None  # not a complete year: says nothing


def test_example_file_is_valid_and_complete_for_2027() -> None:
    override = read_override(resource_path("calendar", "override-example.toml"))
    assert override.complete_years == {2027}
    assert override.workdays and override.holidays
    calendar = WorkingCalendar(override)
    assert calendar.covered_officially(2027)


# (name, text, words expected in the problem, line)
MALFORMED = [
    (
        "bad TOML",
        'source = "x"\nversion = "1"\n[[holiday]\ndate = 2027-01-01\n',
        "not valid TOML",
        3,
    ),
    (
        "unknown entry type",
        'source = "x"\nversion = "1"\n\n[[holidays]]\ndate = 2027-01-01\n',
        "unknown entry type or key 'holidays'",
        4,
    ),
    (
        "unknown key in an entry",
        'source = "x"\nversion = "1"\n[[holiday]]\nday = 2027-01-01\n',
        "unknown key day",
        4,
    ),
    (
        "impossible TOML date",
        'source = "x"\nversion = "1"\n[[holiday]]\nname = "春节"\ndate = 2027-02-30\n',
        "not valid TOML",
        5,
    ),
    (
        "impossible date as text",
        'source = "x"\nversion = "1"\n[[holiday]]\nname = "春节"\n\ndate = "2027-02-30"\n',
        "2027-02-30 is not a date",
        6,
    ),
    (
        "duplicate date in two holidays",
        'source = "x"\nversion = "1"\n[[holiday]]\ndate = 2027-01-01\n'
        "[[holiday]]\ndates = [2027-01-02,\n  2027-01-01]\n",
        "duplicate date 2027-01-01 (first given on line 4)",
        7,
    ),
    (
        "same date holiday and workday",
        'source = "x"\nversion = "1"\n[[holiday]]\ndate = 2027-02-06\n'
        "[[workday]]\ndate = 2027-02-06\n",
        "duplicate date 2027-02-06",
        6,
    ),
    (
        "complete year without entries",
        'source = "x"\nversion = "1"\ncomplete_years = [2027, 2028]\n'
        "[[holiday]]\ndate = 2027-01-01\n",
        "year 2028 is listed in complete_years but has no entries",
        3,
    ),
    ("missing version", 'source = "x"\n\n[[holiday]]\ndate = 2027-01-01\n', "version", None),
    (
        "entry without a date",
        'source = "x"\nversion = "1"\n\n[[workday]]\nname = "x"\n',
        "exactly one of date or dates",
        4,
    ),
    (
        "date with a time",
        'source = "x"\nversion = "1"\n[[holiday]]\ndate = 2027-01-01T09:00:00\n',
        "is not a date",
        3,
    ),
    (
        "complete year with no working day for months",
        'source = "x"\nversion = "1"\ncomplete_years = [2027]\n[[holiday]]\ndates = ['
        + ", ".join((date(2027, 3, 1) + timedelta(days=n)).isoformat() for n in range(70))
        + "]\n",
        "no working day for more than 60 days",
        3,
    ),
]


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_override_is_refused_with_problem_and_line(
    text: str, problem: str, line: int | None
) -> None:
    with pytest.raises(OverrideError) as caught:
        parse_override(text, filename="o.toml")
    assert problem in caught.value.problem
    assert caught.value.line == line
    if line is not None:
        assert f"line {line}" in str(caught.value)


@pytest.mark.parametrize("text", [case[1] for case in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_refused_import_keeps_the_previous_calendar(
    data_dir: Path, tmp_path: Path, text: str
) -> None:
    install_override(data_dir, _write(tmp_path / "good.toml", GOOD))
    before = installed_override_path(data_dir).read_bytes()
    version = load_calendar(data_dir).version
    with pytest.raises(OverrideError):
        install_override(data_dir, _write(tmp_path / "bad.toml", text))
    assert installed_override_path(data_dir).read_bytes() == before
    assert load_calendar(data_dir).version == version
    assert [p.name for p in data_dir.iterdir()] == ["calendar-override.toml"]  # no temp left


def test_install_then_load(data_dir: Path, tmp_path: Path) -> None:
    assert load_calendar(data_dir).override is None
    install_override(data_dir, _write(tmp_path / "o.toml", GOOD))
    calendar = load_calendar(data_dir)
    assert calendar.override is not None and calendar.covered_officially(2027)


def test_hand_broken_installed_file_is_ignored_and_reported(data_dir: Path) -> None:
    installed_override_path(data_dir).write_text("source = \n", encoding="utf-8")
    calendar = load_calendar(data_dir)
    assert calendar.override is None
    assert calendar.override_error is not None and calendar.override_error.line == 1


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OverrideError):
        read_override(tmp_path / "missing.toml")
    (tmp_path / "latin.toml").write_bytes(b"source = '\xe9'\n")
    with pytest.raises(OverrideError):
        read_override(tmp_path / "latin.toml")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_refusal_reads_in_chinese_by_default() -> None:
    set_language("zh_CN")
    with pytest.raises(OverrideError) as caught:
        parse_override('source = "x"\nversion = "1"\n[[holiday]]\ndate = "2027-02-30"\n', "o.toml")
    assert str(caught.value) == "o.toml，第4行：2027-02-30 不是日历上存在的日期"
