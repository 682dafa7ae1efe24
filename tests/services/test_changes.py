"""Merged changes stay "levels only" only while every part with cases is."""

from __future__ import annotations

from dnw_desk.services.changes import Changes


def test_levels_only_survives_a_merge_only_when_every_part_is() -> None:
    tick = Changes(case_ids=frozenset({"a"}), levels_only=True)
    step = Changes(case_ids=frozenset({"b"}))
    assert (tick | Changes(print_queue=True)).levels_only
    assert (tick | Changes(case_ids=frozenset({"c"}), levels_only=True)).levels_only
    assert not (tick | step).levels_only
    assert not (Changes(settings=True) | Changes(print_queue=True)).levels_only
