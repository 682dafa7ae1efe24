"""Evidence attachments: which files a case may carry as proof, and how one is named.

Categories such as "timed out" rest on proof (an application receipt, an earlier notice slip).
Only the formats every counter scanner and phone produces are taken, recognised by their first
bytes rather than their file name, so a renamed executable or a document with macros is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from dnw_desk.domain.errors import DomainError
from dnw_desk.i18n import _

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 120
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class MediaType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


_SIGNATURES: tuple[tuple[bytes, MediaType], ...] = (
    (b"%PDF-", MediaType.PDF),
    (b"\xff\xd8\xff", MediaType.JPEG),
    (b"\x89PNG\r\n\x1a\n", MediaType.PNG),
)
HEAD_BYTES = max(len(signature) for signature, _type in _SIGNATURES)


class AttachmentRefused(DomainError):
    pass


@dataclass(frozen=True)
class AttachmentInfo:
    """What the timeline records of one attached file (its bytes live apart, by hash)."""

    sha256: str
    filename: str
    size: int
    media_type: MediaType

    def to_data(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "filename": self.filename,
            "size": self.size,
            "media_type": self.media_type.value,
        }

    @classmethod
    def from_data(cls, data: object) -> AttachmentInfo | None:
        """The attachment an event's data describes, or None when it is not a valid one."""
        if not isinstance(data, dict):
            return None
        sha, name, size, media = (data.get(k) for k in ("sha256", "filename", "size", "media_type"))
        if not (isinstance(sha, str) and SHA256_HEX.fullmatch(sha) and isinstance(name, str)):
            return None
        if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_BYTES:
            return None
        if media not in {m.value for m in MediaType}:
            return None
        return cls(sha, name, size, MediaType(media))


def media_type_of(head: bytes) -> MediaType | None:
    for signature, media in _SIGNATURES:
        if head.startswith(signature):
            return media
    return None


def display_name(name: str) -> str:
    """The file's own name without its folder, on one line and at most MAX_NAME characters
    (keeping the extension)."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "attachment"
    if len(base) <= MAX_NAME:
        return base
    stem, dot, ext = base.rpartition(".")
    if dot and 0 < len(ext) <= 8:
        return stem[: MAX_NAME - len(ext) - 1] + "." + ext
    return base[:MAX_NAME]


def check_size(name: str, size: int) -> None:
    if size == 0:
        raise AttachmentRefused(_("“{name}” is empty.").format(name=display_name(name)))
    if size > MAX_BYTES:
        raise AttachmentRefused(
            _("“{name}” is {size:.1f} MB; an attachment may be at most {limit} MB.").format(
                name=display_name(name), size=size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024
            )
        )


def examine(name: str, content: bytes) -> AttachmentInfo:
    """Check one file's bytes and describe it; AttachmentRefused says why a file is not taken."""
    check_size(name, len(content))
    media = media_type_of(content[:HEAD_BYTES])
    if media is None:
        raise AttachmentRefused(
            _(
                "“{name}” is not a PDF, JPEG or PNG file; scan or photograph the proof into one."
            ).format(name=display_name(name))
        )
    return AttachmentInfo(
        hashlib.sha256(content).hexdigest(), display_name(name), len(content), media
    )


MEDIA_LABELS: dict[MediaType, str] = {
    MediaType.PDF: "PDF",
    MediaType.JPEG: "JPEG",
    MediaType.PNG: "PNG",
}


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def describe(info: AttachmentInfo) -> str:
    """One line for the timeline and lists: name, format and size."""
    return f"{info.filename} ({MEDIA_LABELS[info.media_type]}, {size_text(info.size)})"
