"""Following a CUPS job when lpstat cannot tell: an unanswered question is never "printed"."""

from __future__ import annotations

import pytest

from dnw_desk.printing import cups
from dnw_desk.printing.connection import Deadline, PrinterError, PrinterState


def _answers(lpstat_code: int, lpstat_text: str) -> object:
    def run(args: list[str], deadline: Deadline, data: bytes | None = None) -> tuple[int, str]:
        if args[0] == "lp":
            return 0, "request id is receipt-7 (0 file(s))\n"
        if args[0] == "cancel":
            return 0, ""
        if "-p" in args:
            return 0, "printer receipt is idle.  enabled since Thu 26 Nov 2026\n"
        if "-a" in args:
            return 0, "receipt accepting requests since Thu 26 Nov 2026\n"
        return lpstat_code, lpstat_text

    return run


def test_scheduler_gone_while_following_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cups, "_run", _answers(1, "lpstat: Scheduler is not running.\n"))
    connection = cups.CupsConnection("receipt")
    connection.write(b"\x1b@hello\n", Deadline(2))
    with pytest.raises(PrinterError) as caught:
        connection.finish(Deadline(2))
    assert "Scheduler is not running" in str(caught.value)


def test_a_cups_without_job_history_forgets_completed_jobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cups, "_run", _answers(0, ""))
    connection = cups.CupsConnection("receipt")
    connection.write(b"\x1b@hello\n", Deadline(2))
    status = connection.finish(Deadline(2))
    assert status is not None and status.state is PrinterState.ONLINE
