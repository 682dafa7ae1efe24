from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from dnw_desk.clock import HALL_TZ
from dnw_desk.contract.sqltypes import to_utc_text

UTC_MINUS_3 = timezone(timedelta(hours=-3))
LAST = 999999


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 25, 9, 0, tzinfo=HALL_TZ), "2026-11-25T01:00:00.000000+00:00"),
        (datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=UTC), "2026-01-01T00:00:00.000005+00:00"),
        (
            datetime(2027, 1, 1, 7, 59, 59, LAST, tzinfo=HALL_TZ),
            "2026-12-31T23:59:59.999999+00:00",
        ),
        (
            datetime(999, 1, 1, tzinfo=UTC_MINUS_3),
            "0999-01-01T03:00:00.000000+00:00",
        ),
    ],
)
def test_times_are_stored_as_fixed_width_utc_text(moment: datetime, text: str) -> None:
    assert to_utc_text(moment) == text
    assert len(to_utc_text(moment)) == 32  # they sort as text
