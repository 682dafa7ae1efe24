"""Attachment files in the data dir, stored by content hash.

``attachments/ab/ab12…`` holds the bytes whose SHA-256 is ``ab12…``: the same scan attached twice
is stored once, a file is never overwritten with other content, and reading checks the hash so
a damaged file is reported instead of shown as proof. Files are private to the desk's user
(they carry personal data).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dnw_desk.atomic_file import write_atomically
from dnw_desk.domain.attachments import SHA256_HEX

ATTACHMENTS_DIR = "attachments"


class BlobMissing(Exception):
    pass


class BlobDamaged(Exception):
    pass


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> BlobStore:
        return cls(data_dir / ATTACHMENTS_DIR)

    def path(self, sha256: str) -> Path:
        if not SHA256_HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, content: bytes) -> str:
        """Store ``content`` (once) and return its SHA-256."""
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path(sha256)
        if target.is_file() and target.stat().st_size == len(content):
            return sha256
        for folder in (self.root, target.parent):
            folder.mkdir(mode=0o700, exist_ok=True)
        write_atomically(target, content)
        os.chmod(target, 0o600)
        return sha256

    def read(self, sha256: str) -> bytes:
        try:
            content = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(sha256) from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise BlobDamaged(sha256)
        return content

    def delete(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True
