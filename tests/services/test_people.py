from __future__ import annotations

from dnw_desk.services.cases import SYSTEM_ACTOR
from dnw_desk.services.people import actor_label


def test_people_are_named_by_role_name_and_number_never_by_key() -> None:
    assert actor_label("clerk:wang", {"wang": ("王芳", "0815")}) == "窗口人员 王芳 · 工号 0815"
    assert actor_label("shift_lead:li") == "值班长 li"


def test_the_desk_s_own_steps_name_no_internal_key() -> None:
    """Walkthrough finding: the timeline showed "system:desk" for the cards it recorded."""
    label = actor_label(SYSTEM_ACTOR)
    assert "system" not in label and ":" not in label
    assert label == "本终端（自动）"
