"""Attaching proof to a case and reading it back.

The bytes go to the data dir's blob store first, then one event records the file's hash, name,
size and format (its audit entry carries the hash too). A crash between the two leaves at most
an unreferenced file, never an event without its bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dnw_desk.domain.attachments import (
    AttachmentInfo,
    AttachmentRefused,
    check_size,
    display_name,
    examine,
)
from dnw_desk.domain.case import Event, EventType
from dnw_desk.domain.roles import Actor
from dnw_desk.i18n import _
from dnw_desk.services.cases import CaseService, Saved
from dnw_desk.services.desk import Desk
from dnw_desk.store.blobs import BlobDamaged, BlobMissing, BlobStore


@dataclass(frozen=True)
class Attached:
    """One attachment as a case's timeline lists it."""

    info: AttachmentInfo
    event: Event


def blobs_of(desk: Desk) -> BlobStore:
    return BlobStore.for_data_dir(desk.data_dir)


def read_source(path: Path) -> bytes:
    """The chosen file's bytes, refusing an oversized one before reading it."""
    name = display_name(path.name)
    try:
        check_size(path.name, path.stat().st_size)
        return path.read_bytes()
    except FileNotFoundError:
        raise AttachmentRefused(_("“{name}” no longer exists.").format(name=name)) from None
    except PermissionError:
        raise AttachmentRefused(
            _("“{name}” cannot be read: this user has no permission.").format(name=name)
        ) from None
    except IsADirectoryError:
        raise AttachmentRefused(_("“{name}” is a folder, not a file.").format(name=name)) from None
    except OSError as exc:
        raise AttachmentRefused(
            _("“{name}” cannot be read ({error}).").format(name=name, error=exc.strerror or exc)
        ) from None


Checked = tuple[AttachmentInfo, bytes]  # a file examined once: what it is, and its bytes


def read_checked(paths: Sequence[Path]) -> list[Checked]:
    """Every chosen file read and examined: one bad file refuses the selection before anything
    is recorded."""
    checked = []
    for path in paths:
        content = read_source(path)
        checked.append((examine(path.name, content), content))
    return checked


def attach_contents(
    cases: CaseService, blobs: BlobStore, case_id: str, checked: Sequence[Checked], actor: Actor
) -> list[Saved]:
    """Store each examined file and record it on the case."""
    saved = []
    for info, content in checked:
        blobs.put(content)
        saved.append(cases.record(case_id, EventType.ATTACHMENT_ADDED, actor, info.to_data()))
    return saved


def attach_files(
    cases: CaseService, blobs: BlobStore, case_id: str, paths: Sequence[Path], actor: Actor
) -> list[Saved]:
    """Attach several files, all or none (see ``read_checked``)."""
    return attach_contents(cases, blobs, case_id, read_checked(paths), actor)


def attachments_of(events: Sequence[Event]) -> list[Attached]:
    found = []
    for event in events:
        if event.type is EventType.ATTACHMENT_ADDED:
            info = AttachmentInfo.from_data(event.data)
            if info is not None:
                found.append(Attached(info, event))
    return found


def content_of(blobs: BlobStore, info: AttachmentInfo) -> bytes:
    """The attachment's bytes; AttachmentRefused when the file is gone or damaged."""
    try:
        return blobs.read(info.sha256)
    except BlobMissing:
        raise AttachmentRefused(
            _("The file of “{name}” is missing from this desk's data folder.").format(
                name=info.filename
            )
        ) from None
    except BlobDamaged:
        raise AttachmentRefused(
            _("The file of “{name}” is damaged on this desk (its content changed).").format(
                name=info.filename
            )
        ) from None
