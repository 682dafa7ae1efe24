from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from dnw_desk.store.blobs import BlobDamaged, BlobMissing, BlobStore
from tests.factories import png_bytes


def test_bytes_are_stored_once_by_hash_and_private(tmp_path: Path) -> None:
    blobs = BlobStore.for_data_dir(tmp_path)
    content = png_bytes()
    sha = blobs.put(content)
    assert sha == hashlib.sha256(content).hexdigest()
    assert blobs.put(content) == sha
    path = blobs.path(sha)
    assert path.parent.parent == tmp_path / "attachments"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temp file left behind
    assert blobs.read(sha) == content


def test_a_damaged_or_missing_file_is_reported_not_returned(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha = blobs.put(png_bytes())
    blobs.path(sha).write_bytes(png_bytes(colour="blue"))
    with pytest.raises(BlobDamaged):
        blobs.read(sha)
    assert blobs.delete(sha) and not blobs.delete(sha)
    with pytest.raises(BlobMissing):
        blobs.read(sha)
    with pytest.raises(ValueError):
        blobs.path("../../etc/passwd")
