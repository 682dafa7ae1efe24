from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dnw_desk.domain.attachments import AttachmentRefused
from dnw_desk.domain.case import EventType
from dnw_desk.services.attachments import attach_files, attachments_of, content_of
from dnw_desk.services.timeline import summarise
from dnw_desk.store.blobs import BlobStore
from dnw_desk.store.tables import audit_log
from tests.factories import CLERK, desk_at, pdf_bytes, png_bytes, register


def _files(tmp_path: Path, **contents: bytes) -> list[Path]:
    paths = []
    for name, content in contents.items():
        path = tmp_path / "scans" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        paths.append(path)
    return paths


def test_attached_files_are_listed_hashed_into_the_audit_and_readable(tmp_path: Path) -> None:
    desk, _clock = desk_at(tmp_path / "data")
    case = register(desk).case
    blobs = BlobStore.for_data_dir(desk.data_dir)
    paths = _files(tmp_path, **{"回执.pdf": pdf_bytes(), "告知单.png": png_bytes()})
    saved = attach_files(desk.cases, blobs, case.id, paths, CLERK)
    assert len(saved) == 2
    listed = attachments_of(desk.cases.events(case.id))
    assert [item.info.filename for item in listed] == ["回执.pdf", "告知单.png"]
    assert content_of(blobs, listed[0].info) == paths[0].read_bytes()
    assert summarise(listed[1].event).startswith("告知单.png (PNG, ")
    with desk.db.read() as conn:
        details = (
            conn.execute(
                select(audit_log.c.detail).where(
                    audit_log.c.action == f"case.{EventType.ATTACHMENT_ADDED.value}"
                )
            )
            .scalars()
            .all()
        )
    assert sorted(d["sha256"] for d in details) == sorted(i.info.sha256 for i in listed)
    desk.close()


def test_one_bad_file_in_a_selection_attaches_none(tmp_path: Path) -> None:
    desk, _clock = desk_at(tmp_path / "data")
    case = register(desk).case
    blobs = BlobStore.for_data_dir(desk.data_dir)
    paths = _files(tmp_path, **{"ok.png": png_bytes(), "virus.exe": b"MZ\x90\x00"})
    with pytest.raises(AttachmentRefused, match=r"virus\.exe"):
        attach_files(desk.cases, blobs, case.id, paths, CLERK)
    assert attachments_of(desk.cases.events(case.id)) == []
    with pytest.raises(AttachmentRefused, match="已不存在"):
        attach_files(desk.cases, blobs, case.id, [tmp_path / "gone.pdf"], CLERK)
    desk.close()
