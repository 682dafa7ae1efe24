"""A CUPS queue, raw, through the ``lp``/``lpstat``/``cancel`` commands (no pycups needed).

CUPS takes a job at once whatever the printer does, so "sent" means nothing by itself: after
``lp`` the job is followed with ``lpstat`` until CUPS reports it completed, and only then is it
printed. A queue that is paused or not accepting jobs, a job held, or one still waiting when the
deadline passes (the printer off, out of paper, silent) is an error with CUPS' own reason; the
CUPS job is then cancelled, so a *retry* from the desk cannot print the receipt twice.

The commands run with ``LC_ALL=C``: their output is parsed, and a Chinese desktop would
translate it.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from dataclasses import dataclass

from dnw_desk.i18n import _
from dnw_desk.printing.connection import (
    Deadline,
    PrinterError,
    PrinterState,
    PrinterStatus,
    deadline_error,
)

POLL_INTERVAL = 0.1  # between lpstat calls while following a job
COMMAND_TIMEOUT = 5.0  # one lp/lpstat call, at most (and never past the job's deadline)
_REQUEST_ID = re.compile(r"request id is (\S+)")
_KEY_LINE = re.compile(r"^[A-Za-z][A-Za-z ]*:(\s|$)")
_NOT_FOUND = ("does not exist", "Invalid destination", "Unknown destination", "not found")


def _run(args: list[str], deadline: Deadline, data: bytes | None = None) -> tuple[int, str]:
    """(exit code, stdout + stderr) of a CUPS command, within the deadline."""
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "LANGUAGE": ""}
    timeout = max(0.05, min(COMMAND_TIMEOUT, deadline.remaining()))
    try:
        result = subprocess.run(
            args, input=data, capture_output=True, timeout=timeout, env=env, check=False
        )
    except FileNotFoundError:
        raise PrinterError(
            _("CUPS is not installed (no '{command}' command).").format(command=args[0]),
            PrinterStatus(PrinterState.UNREACHABLE),
        ) from None
    except subprocess.TimeoutExpired:
        raise deadline_error(deadline, _("waiting for CUPS")) from None
    text = (result.stdout + result.stderr).decode(errors="replace")
    return result.returncode, text


def queue_status(queue: str, deadline: Deadline) -> PrinterStatus:
    """The queue's state: missing, paused, rejecting jobs, or ready (with CUPS' last message)."""
    code, text = _run(["lpstat", "-l", "-p", queue], deadline)
    if code != 0 or not text.strip():
        return _lpstat_failure(queue, text)
    lines = text.splitlines()
    reason = _reason(lines[1:])
    if " disabled since " in lines[0]:
        return PrinterStatus(PrinterState.PAUSED, detail=reason)
    code, text = _run(["lpstat", "-a", queue], deadline)
    if code != 0:
        return _lpstat_failure(queue, text)
    if "not accepting" in text:
        return PrinterStatus(PrinterState.REJECTING, detail=_reason(text.splitlines()[1:]))
    return PrinterStatus(PrinterState.QUEUE_READY, detail=reason)


def _lpstat_failure(queue: str, text: str) -> PrinterStatus:
    if any(marker in text for marker in _NOT_FOUND) or not text.strip():
        return PrinterStatus(
            PrinterState.NOT_FOUND,
            detail=_("CUPS has no queue named {queue}.").format(queue=queue),
        )
    return PrinterStatus(PrinterState.UNREACHABLE, detail=" ".join(text.split()))


def _reason(lines: list[str]) -> str:
    """The printer's state message: the first indented line under lpstat's header, unless that
    is already one of the "Key: value" lines that follow it."""
    if not lines or not lines[0].startswith("\t"):
        return ""
    text = lines[0].strip()
    if _KEY_LINE.match(text) or text in ("Paused", "Rejecting Jobs"):
        return ""
    return text


@dataclass(frozen=True)
class _Job:
    done: bool
    status: str  # CUPS' message for the job ("Status:")
    alerts: str  # job-state-reasons ("Alerts:")


def _job(queue: str, job_id: str, deadline: Deadline) -> _Job | None:
    """The job as lpstat sees it; None when CUPS no longer lists it at all."""
    for which, done in (("not-completed", False), ("completed", True)):
        code, text = _run(["lpstat", "-l", "-W", which, "-o", queue], deadline)
        if code != 0:
            # Not "no such job": an unanswered question must never count as printed.
            raise PrinterError(
                _("CUPS cannot be asked about the job: {detail}").format(
                    detail=" ".join(text.split())
                ),
                PrinterStatus(PrinterState.UNREACHABLE),
            )
        block = _job_block(text, job_id)
        if block is not None:
            return _Job(done, block.get("Status", ""), block.get("Alerts", ""))
    return None


def _job_block(text: str, job_id: str) -> dict[str, str] | None:
    block: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.startswith("\t"):
            if block is not None:
                return block
            if line.split(" ", 1)[0] == job_id:
                block = {}
            continue
        if block is not None:
            key, _sep, value = line.strip().partition(":")
            block[key] = value.strip()
    return block


class CupsConnection:
    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.data = bytearray()

    def write(self, data: bytes, deadline: Deadline) -> None:
        self.data += data

    def read_byte(self, deadline: float) -> int | None:
        return None

    def status(self, timeout: float, deadline: Deadline) -> PrinterStatus:
        return queue_status(self.queue, deadline)

    def finish(self, deadline: Deadline) -> PrinterStatus | None:
        code, text = _run(["lp", "-d", self.queue, "-o", "raw"], deadline, bytes(self.data))
        found = _REQUEST_ID.search(text)
        if code != 0 or found is None:
            status = self._refused_status(text)
            raise PrinterError(
                _("CUPS refused the job: {detail}").format(detail=status.message()), status
            )
        job_id = found.group(1)
        try:
            return self._follow(job_id, deadline)
        except PrinterError:
            self._cancel(job_id)
            raise

    def _refused_status(self, text: str) -> PrinterStatus:
        detail = " ".join(text.split())
        if "not accepting" in text:
            return PrinterStatus(PrinterState.REJECTING, detail=detail)
        if any(marker in text for marker in _NOT_FOUND):
            return PrinterStatus(PrinterState.NOT_FOUND, detail=detail)
        return PrinterStatus(PrinterState.UNREACHABLE, detail=detail)

    def _follow(self, job_id: str, deadline: Deadline) -> PrinterStatus:
        while True:
            found = _job(self.queue, job_id, deadline)
            if found is None:
                # Not pending and not in the history: a CUPS that keeps no job history
                # (PreserveJobHistory No) forgets a job as soon as it is completed.
                return PrinterStatus(PrinterState.ONLINE, detail=_("CUPS reports the job printed."))
            job = found
            if job.done:
                if "cancel" in job.alerts or "abort" in job.alerts:
                    raise PrinterError(
                        _("CUPS did not print the job ({reason}).").format(reason=job.alerts),
                        PrinterStatus(PrinterState.UNREACHABLE, detail=job.status),
                    )
                return PrinterStatus(PrinterState.ONLINE, detail=_("CUPS reports the job printed."))
            if "hold" in job.alerts:
                raise PrinterError(
                    _("CUPS is holding the job ({reason}).").format(reason=job.alerts),
                    PrinterStatus(PrinterState.PAUSED, detail=job.status),
                )
            queue = queue_status(self.queue, deadline)
            if queue.state is PrinterState.PAUSED:
                raise PrinterError(queue.message(), queue)
            if deadline.remaining() <= POLL_INTERVAL:
                break
            time.sleep(POLL_INTERVAL)
        reason = (
            job.status or queue.detail or _("the printer may be off, out of paper or unplugged")
        )
        raise PrinterError(
            _(
                "The print queue {queue} has not printed the job within {seconds:g} s: {reason}"
            ).format(queue=self.queue, seconds=deadline.seconds, reason=reason),
            PrinterStatus(PrinterState.UNREACHABLE, detail=reason),
        )

    def _cancel(self, job_id: str) -> None:
        # A little time of its own: the job's deadline has usually passed by now.
        with contextlib.suppress(PrinterError):  # the job's own error says more
            _run(["cancel", job_id], Deadline(2.0))

    def close(self) -> None:
        self.data = bytearray()


def list_queues(deadline: Deadline) -> list[str]:
    """The CUPS queues (destinations) of this machine; empty when CUPS is absent or down."""
    try:
        code, text = _run(["lpstat", "-e"], deadline)
    except PrinterError:
        return []
    if code != 0:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]
