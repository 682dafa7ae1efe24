from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.cli import main
from dnw_desk.domain.case import fold
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.domain.registration import Registration, validate_registration
from dnw_desk.services.desk import open_desk
from dnw_desk.store import cases_repo
from dnw_desk.store.audit import verify_chain
from dnw_desk.store.tables import cases


def test_demo_data_is_realistic_and_consistent(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "demo-data", "--cases", "300", "--days", "20"]) == 0
    assert "added 300 cases" in capsys.readouterr().out
    desk = open_desk(data_dir)
    with desk.db.read() as conn:
        rows = cases_repo.list_cases(conn, order="registered")
        assert len(rows) == 300
        assert verify_chain(conn).ok
        statuses = {row.status for row in rows}
        assert {"closed", "not_accepted"} <= statuses
        for row in rows:
            events = cases_repo.load_events(conn, row.id)
            state = fold(events)  # the stored timeline obeys the rules
            assert [e.at for e in events] == sorted(e.at for e in events)
            assert state.status.value == row.status
            assert state.deadline == row.deadline
            # The generated complainant passes the same validation as the counter's form.
            reg = Registration.from_data(events[0].data)
            if row.status != "not_accepted":
                validate_registration(
                    reg,
                    categories=desk.settings.categories,
                    units=desk.settings.units,
                    today=row.registered_at.date(),
                )
        numbers = list(conn.execute(select(cases.c.number)).scalars())
    assert len(set(numbers)) == 300
    assert not contains_unmasked_pii(" ".join(numbers))


def test_demo_data_appends_without_reusing_numbers(data_dir: Path) -> None:
    for _ in range(2):
        assert (
            main(
                [
                    "--data-dir",
                    str(data_dir),
                    "demo-data",
                    "--cases",
                    "50",
                    "--days",
                    "20",
                    "--seed",
                    str(_),
                ]
            )
            == 0
        )
    desk = open_desk(data_dir)
    with desk.db.read() as conn:
        numbers = list(conn.execute(select(cases.c.number)).scalars())
        assert verify_chain(conn).ok
    assert len(numbers) == len(set(numbers)) == 100


def test_demo_data_refuses_nonsense(data_dir: Path) -> None:
    assert main(["--data-dir", str(data_dir), "demo-data", "--cases", "0"]) == 2


def test_progress_is_drawn_on_a_terminal_only(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Captured or piped, the carriage-return progress ran into one long line with the summary
    after it; only a terminal, which redraws it in place, gets it."""
    assert main(["--data-dir", str(data_dir), "demo-data", "--cases", "30", "--days", "3"]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err and "cases" not in captured.err
    assert captured.out.startswith("added 30 cases")
