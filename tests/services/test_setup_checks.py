from __future__ import annotations

import pytest

from dnw_desk.services.setup import check_hours


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("09:00-12:00,13:30-17:30", ""),
        ("9点到5点", "Write opening hours like 09:00-12:00,13:30-17:30."),
        ("09:00-", "Write opening hours like 09:00-12:00,13:30-17:30."),
        # Well written but impossible: the message says what is wrong, not how to write it.
        ("17:00-09:00", "An opening interval must end after it starts."),
        ("09:00-09:00", "An opening interval must end after it starts."),
        ("13:30-17:30,09:00-12:00", "Opening intervals must be in order and must not overlap."),
        ("09:00-13:00,12:00-17:30", "Opening intervals must be in order and must not overlap."),
    ],
)
@pytest.mark.usefixtures("english")
def test_opening_hours_are_refused_with_what_is_wrong(text: str, message: str) -> None:
    assert check_hours(text) == message
