"""What a finished print job leaves on the case's timeline: a receipt or a reprint that came
out of a printer is a copy handed to the citizen, recorded as ``receipt_printed`` with its copy
number, by whoever asked for it (docs/rules.md#receipts). A preview saved as files, a slip or a
test page records nothing."""

from __future__ import annotations

from dnw_desk.domain.case import EventType
from dnw_desk.domain.errors import DomainError
from dnw_desk.domain.roles import Actor
from dnw_desk.i18n import _
from dnw_desk.printing.queue import JobKind, PrintJob
from dnw_desk.services.cases import CaseService, Saved

RECORDED_KINDS = frozenset({JobKind.RECEIPT, JobKind.REPRINT})


class NoActor(DomainError):
    """Nobody is known to have asked for the copy: the timeline names a real person or none."""


def records_a_copy(job: PrintJob, *, saved_as_files: bool) -> bool:
    """Whether the finished job handed a receipt copy to the citizen."""
    return job.case_id is not None and job.kind in RECORDED_KINDS and not saved_as_files


def record_receipt_printed(
    cases: CaseService, job: PrintJob, actor: Actor | None, *, saved_as_files: bool = False
) -> Saved | None:
    """Record ``receipt_printed`` for a finished job that handed out a copy (None when it did
    not). Refuses without the person who asked for it: a job left queued by a crash and
    printed before anyone logged in is not recorded under an invented name."""
    if not records_a_copy(job, saved_as_files=saved_as_files):
        return None
    if actor is None:
        raise NoActor(_("Nobody is logged in to record the printed receipt."))
    assert job.case_id is not None
    return cases.record(job.case_id, EventType.RECEIPT_PRINTED, actor, {"copy": job.copy_number})
