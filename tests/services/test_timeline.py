"""The timeline's one-line summaries as a Chinese-speaking clerk reads them."""

from __future__ import annotations

from datetime import UTC, datetime

from dnw_desk.domain.case import Event, EventType
from dnw_desk.services.timeline import summarise

AT = datetime(2026, 11, 27, 3, 14, tzinfo=UTC)


def test_how_the_complainant_was_told_is_not_called_the_application_channel() -> None:
    """The intake's 办理渠道 (how the citizen applied) and the way a step reached someone
    (phone, SMS …) share the data key "channel"; the summary must not call the latter 办理渠道."""
    event = Event(
        "e",
        "c",
        EventType.COMPLAINANT_INFORMED,
        AT,
        "clerk:a",
        {"unit": "省市场监管局", "channel": "phone", "by": "钱七"},
    )
    summary = summarise(event)
    assert "电话" in summary
    assert "办理渠道" not in summary


def test_chinese_summaries_use_chinese_punctuation() -> None:
    event = Event(
        "e",
        "c",
        EventType.REFERRED,
        AT,
        "clerk:a",
        {"unit": "省市场监管局", "deadline": "2026-11-30T17:30:00+08:00"},
    )
    assert summarise(event) == "单位：省市场监管局；办理时限：2026-11-30 17:30"


def test_the_clerk_who_called_back_is_named_not_their_account_key() -> None:
    """A callback without 回访人 records the clerk's account (``clerk:login``); the timeline
    says who that is in words."""
    event = Event(
        "e",
        "c",
        EventType.CALLBACK,
        AT,
        "clerk:clerk1",
        {"channel": "phone", "by": "clerk:clerk1", "satisfaction": "very_satisfied"},
    )
    assert "clerk:" not in summarise(event)
    assert "窗口人员" in summarise(event)
    named = summarise(event, {"clerk:clerk1": "窗口人员 王小明 · 工号 C001"})
    assert "王小明" in named
