"""Attaching proof in the case detail, viewing it, and a refused file (pytest-qt)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtPdfWidgets import QPdfView
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.services.attachments import attachments_of
from dnw_desk.store import cases_repo
from dnw_desk.ui.attachments import AttachmentViewer
from dnw_desk.ui.case_detail import CaseDetailDialog
from dnw_desk.ui.changes import ChangeBus
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.tasks import ImmediateTaskRunner
from tests.factories import CLERK, desk_at, pdf_bytes, png_bytes, register
from tests.ui.conftest import DeskHarness
from tests.ui.test_intake import fill_minimal

START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


def _open(qtbot: QtBot, data_dir: Path, chosen: list[Path]) -> CaseDetailDialog:
    desk, _clock = desk_at(data_dir, START)
    case_id = register(desk).case.id
    ui = DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=CLERK)
    dialog = CaseDetailDialog(ui, case_id)
    dialog.attachments.chooser = lambda _parent: chosen
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_attach_list_and_view_a_pdf_and_an_image(qtbot: QtBot, tmp_path: Path) -> None:
    pdf, png = tmp_path / "受理回执.pdf", tmp_path / "告知单.png"
    pdf.write_bytes(pdf_bytes())
    png.write_bytes(png_bytes(1600, 1200))
    dialog = _open(qtbot, tmp_path / "data", [pdf, png])
    assert dialog.attachments.empty.isVisible()
    qtbot.mouseClick(dialog.attachments.add_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == ""
    texts = [dialog.attachments.list.item(i).text() for i in range(dialog.attachments.list.count())]
    assert texts[0].startswith("受理回执.pdf (PDF, ") and texts[1].startswith("告知单.png (PNG, ")
    assert dialog.view is not None
    assert [e.type for e in dialog.view.events].count(EventType.ATTACHMENT_ADDED) == 2
    assert "2" in dialog.notice.text()

    qtbot.mouseClick(dialog.attachments.view_button, Qt.MouseButton.LeftButton)
    viewer: AttachmentViewer = dialog.viewer
    qtbot.waitUntil(lambda: viewer.pdf is not None and viewer.pdf.pageCount() == 1)
    assert viewer.findChild(QPdfView) is not None
    viewer.close()
    dialog.attachments.list.setCurrentRow(1)
    qtbot.mouseClick(dialog.attachments.view_button, Qt.MouseButton.LeftButton)
    image = dialog.viewer.image.pixmap()
    assert 0 < image.width() <= 780 and image.height() <= 560  # scaled to fit the window
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert dialog.findChildren(AttachmentViewer) == [dialog.viewer]  # the first one went


def test_a_refused_file_says_why_and_attaches_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    exe = tmp_path / "scan.pdf"
    exe.write_bytes(b"MZ\x90\x00 renamed program")
    dialog = _open(qtbot, tmp_path / "data", [exe])
    qtbot.mouseClick(dialog.attachments.add_button, Qt.MouseButton.LeftButton)
    assert "不是PDF" in dialog.message.text() or "not a PDF" in dialog.message.text()
    assert dialog.attachments.empty.isVisible()


def test_proof_chosen_at_intake_is_attached_when_the_case_is_saved(
    qtbot: QtBot, clerk_desk: DeskHarness, tmp_path: Path
) -> None:
    page = clerk_desk.session.intake
    good, bad = tmp_path / "超期受理单.jpg", tmp_path / "note.txt"
    good.write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    bad.write_bytes(b"hello")
    page.proof.chooser = lambda _parent: [bad]
    qtbot.mouseClick(page.proof.add_button, Qt.MouseButton.LeftButton)
    assert "note.txt" in page.form_error.text() and page.pending_files == []
    page.proof.chooser = lambda _parent: [good, good]
    qtbot.mouseClick(page.proof.add_button, Qt.MouseButton.LeftButton)
    assert page.pending_files == [good]  # once, however often chosen
    fill_minimal(qtbot, page.form)
    qtbot.keyClick(page.form.edits["name"], Qt.Key.Key_F9)
    assert clerk_desk.count_cases() == 1
    with clerk_desk.desk.db.read() as conn:
        (case,) = cases_repo.list_cases(conn, limit=10)
        events = cases_repo.load_events(conn, case.id)
    (proof,) = attachments_of(events)
    assert proof.info.filename == "超期受理单.jpg"
    assert page.pending_files == [] and page.proof.empty.isVisible()  # ready for the next citizen


def test_a_proof_file_gone_before_saving_refuses_the_save(
    qtbot: QtBot, clerk_desk: DeskHarness, tmp_path: Path
) -> None:
    page = clerk_desk.session.intake
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes())
    page.proof.chooser = lambda _parent: [scan]
    qtbot.mouseClick(page.proof.add_button, Qt.MouseButton.LeftButton)
    scan.unlink()  # a USB stick pulled out
    fill_minimal(qtbot, page.form)
    qtbot.keyClick(page.form.edits["name"], Qt.Key.Key_F9)
    assert clerk_desk.count_cases() == 0
    assert "scan.png" in page.form_error.text()
    assert not page.form.is_empty()  # nothing typed is lost
