"""``receipt_printed``: which finished print jobs record a copy, and by whom."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dnw_desk.domain.case import EventType
from dnw_desk.printing.queue import JobKind, JobStatus, MemoryJobStore, enqueue
from dnw_desk.services.print_records import NoActor, record_receipt_printed, records_a_copy
from dnw_desk.services.receipts import receipt_data
from tests.factories import CLERK, desk_at, register


def _printed(desk, copy: int = 1):  # type: ignore[no-untyped-def]
    saved = register(desk)
    job = enqueue(MemoryJobStore(), receipt_data(desk.settings, saved.case, copy), saved.case.id)
    return saved.case.id, dataclasses.replace(job, status=JobStatus.DONE)


def _copies(desk, case_id: str) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [
        (event.data["copy"], event.actor)
        for event in desk.cases.events(case_id)
        if event.type is EventType.RECEIPT_PRINTED
    ]


def test_a_printed_receipt_is_recorded_by_who_asked(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id, job = _printed(desk, copy=2)
    assert job.kind is JobKind.REPRINT
    saved = record_receipt_printed(desk.cases, job, CLERK)
    assert saved is not None and case_id in saved.changes.case_ids
    assert _copies(desk, case_id) == [(2, CLERK.audit_name)]


def test_without_an_actor_nothing_is_recorded_under_an_invented_name(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id, job = _printed(desk)
    with pytest.raises(NoActor):
        record_receipt_printed(desk.cases, job, None)
    assert _copies(desk, case_id) == []


def test_a_preview_a_slip_or_a_test_page_records_nothing(data_dir: Path) -> None:
    desk, _clock = desk_at(data_dir)
    case_id, job = _printed(desk)
    assert record_receipt_printed(desk.cases, job, CLERK, saved_as_files=True) is None
    assert not records_a_copy(dataclasses.replace(job, kind=JobKind.SLIP), saved_as_files=False)
    assert not records_a_copy(dataclasses.replace(job, case_id=None), saved_as_files=False)
    assert records_a_copy(job, saved_as_files=False)
    assert _copies(desk, case_id) == []
