"""Render every intake-desk screen to ``docs/screenshots/`` (``make screenshots``, under Xvfb).

Builds a throw-away data dir with a configured hall, three accounts and a few cases, then shows
each screen at the counter's resolutions and saves what Qt paints. Chinese (the default) first,
then English and the large-font setting for the intake form.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from dnw_desk.clock import HALL_TZ, FakeClock
from dnw_desk.domain.registration import Complainant, ComplainantKind, Matter, Registration
from dnw_desk.domain.roles import Actor, Role
from dnw_desk.i18n import set_language
from dnw_desk.local_settings import LocalSettings
from dnw_desk.services.accounts import AccountService, NewAccount
from dnw_desk.services.desk import Desk, open_desk
from dnw_desk.services.settings import load_settings, save_settings
from dnw_desk.ui.tasks import ImmediateTaskRunner

VALID_ID = "110105199003070017"
CLERK = Actor("wang", "0815", Role.CLERK)
ADMIN = Actor("admin", "0800", Role.ADMIN)


def demo_desk(data_dir: Path) -> Desk:
    clock = FakeClock(datetime(2026, 11, 24, 10, 32, tzinfo=HALL_TZ))
    desk = open_desk(data_dir, clock)
    save_settings(
        desk.db, replace(load_settings(desk.db), configured=True), actor="demo", now=clock()
    )
    desk.reload()
    accounts = AccountService(desk.db, clock)
    accounts.create(NewAccount("admin", "0800", Role.ADMIN, "admin-pass", "系统管理员"), by=None)
    accounts.create(NewAccount("wang", "0815", Role.CLERK, "clerk-pass", "王芳"), by=ADMIN)
    accounts.create(NewAccount("li", "0801", Role.SHIFT_LEAD, "lead-pass", "李明"), by=ADMIN)
    clock.advance(days=-12)
    earlier = Registration(
        Complainant(ComplainantKind.PERSON, "张三", "13812345678", VALID_ID),
        Matter("3", "出入境证件办理", "省公安厅", description="材料齐全但一直未受理"),
    )
    settings = desk.settings
    desk.cases.register(earlier, CLERK, categories=settings.categories, units=settings.units)
    clock.advance(days=12)
    return desk


class Shooter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.saved: list[Path] = []
        out.mkdir(parents=True, exist_ok=True)

    def shoot(self, widget: QWidget, name: str) -> None:
        widget.show()
        for _i in range(5):
            QApplication.processEvents()
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        self.saved.append(path)
        print(path)

    def shoot_dialog(
        self, dialog: QDialog, name: str, prepare: Callable[[], None] | None = None
    ) -> None:
        """Dialogs are shown modelessly so the script goes on; then closed."""
        if prepare is not None:
            prepare()
        self.shoot(dialog, name)
        dialog.close()


def fill_intake(page: object) -> None:
    form = page.form  # type: ignore[attr-defined]
    form.edits["name"].setText("张三")
    form.edits["id_number"].setText(VALID_ID)
    form.edits["phone"].setText("138 1234 5678")
    form.suggest_category("2")
    form.edits["earlier_visits"].setText("2026-11-03, 2026-11-12")
    form.edits["service_item"].setText("出入境证件办理（港澳通行证）")
    form.edits["lead_unit"].setText("省公安厅")
    form.long_edits["description"].setPlainText("第三次来办，每次被告知缺不同的材料，至今未受理。")
    form.long_edits["request"].setPlainText("一次性告知所需材料并尽快受理。")
    for name in ("name", "id_number", "phone"):
        form.on_field_left(name)


def run(out: Path, *, language: str, suffix: str, large_font: bool, full: bool) -> list[Path]:
    from dnw_desk.ui.look import setup_qt_look
    from dnw_desk.ui.screens import build_ui, build_window

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    set_language(language)
    setup_qt_look(app, language, large_font)
    shooter = Shooter(out)
    with tempfile.TemporaryDirectory() as tmp:
        desk = demo_desk(Path(tmp))
        ui, accounts = build_ui(
            desk, LocalSettings(printer_uri="dummy", language=language), ImmediateTaskRunner()
        )
        window, screens = build_window(ui, accounts)
        session = screens.session
        window.resize(1366, 768)
        if full:
            session.login_page.show_login("wang")
            shooter.shoot(window, f"login{suffix}")
        session.on_login_page_logged_in(accounts.authenticate("wang", "clerk-pass"))
        page = session.intake
        shooter.shoot(window, f"intake-empty{suffix}")
        fill_intake(page)
        page.lookup_earlier_visits()
        shooter.shoot(window, f"intake-filled{suffix}")
        shoot_handling(shooter, window, screens, accounts, ui, suffix, Path(tmp))
        if full:
            shoot_the_rest(shooter, window, screens, accounts, ui, Path(tmp))
        window.close()
        ui.tasks.shutdown()
        desk.close()
    return shooter.saved


def shoot_the_rest(
    shooter: Shooter, window: Any, screens: Any, accounts: Any, ui: Any, tmp: Path
) -> None:
    """The screens shot once (zh_CN, normal font): errors, saved, previews, lock, settings,
    the wizard, sync and the damaged-database dialog."""
    from dnw_desk.ui.damaged_dialog import DamagedDatabaseDialog
    from dnw_desk.ui.settings_dialog import SettingsDialog
    from dnw_desk.ui.setup_wizard import SetupWizard

    session, page = screens.session, screens.session.intake
    form = page.form
    form.edits["id_number"].setText(VALID_ID[:-1] + "8")
    form.edits["phone"].setText("1381234")
    form.on_field_left("phone")
    page.on_save_triggered()
    shooter.shoot(window, "intake-errors")
    form.edits["id_number"].setText(VALID_ID)
    form.edits["phone"].setText("13812345678")
    page.on_save_triggered()
    shooter.shoot(window, "intake-saved")
    window.resize(1920, 1080)
    shooter.shoot(window, "intake-saved-1920")
    window.resize(1366, 768)
    assert page.last_case is not None
    shoot_previews(shooter, window, ui, page.last_case)
    session.lock()
    shooter.shoot(window, "locked")
    session.on_login_page_logged_in(accounts.authenticate("admin", "admin-pass"))
    dialog = SettingsDialog(ui, accounts, window)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        shooter.shoot(dialog, f"settings-{index + 1}")
    dialog.close()
    wizard = SetupWizard(ui)
    shooter.shoot(wizard, "setup-1-admin")
    for step in range(2, 6):
        wizard.setStartId(wizard.pageIds()[step - 1])
        wizard.restart()
        shooter.shoot(wizard, f"setup-{step}")
    wizard.close()
    shoot_sync(shooter, window, screens, accounts, ui)
    damaged = damaged_error(tmp / "damaged-demo")
    message = str(damaged).replace(str(tmp / "damaged-demo"), "C:\\dnw-desk")
    shooter.shoot_dialog(DamagedDatabaseDialog(message, damaged.backup, window), "damaged-database")


def shoot_previews(shooter: Shooter, window: Any, ui: Any, case: Any) -> None:
    """The receipt and the not-accepted slip as previewed, and the refusal dialog."""
    from dnw_desk.services.receipts import receipt_data, slip_data
    from dnw_desk.services.reference_data import refusal_reasons
    from dnw_desk.ui.not_accepted_dialog import NotAcceptedDialog
    from dnw_desk.ui.print_jobs import render_document
    from dnw_desk.ui.receipt_preview_dialog import ReceiptPreviewDialog

    image = render_document(receipt_data(ui.desk.settings, case))
    shooter.shoot_dialog(ReceiptPreviewDialog(image, case.number, window), "receipt-preview")
    slip = render_document(slip_data(ui.desk.settings, case, "信访事项", "请到信访部门反映。"))
    shooter.shoot_dialog(ReceiptPreviewDialog(slip, case.number, window), "slip-preview")
    shooter.shoot_dialog(
        NotAcceptedDialog(refusal_reasons(), ui.desk.settings.hotline, window), "not-accepted"
    )


def demo_conflicts(desk: Desk) -> None:
    """Two conflicts as sync records them: an answer the server refused, a unit's step that
    did not fit this desk's timeline."""
    from dnw_desk.store import cases_repo
    from dnw_desk.sync import state as sync_state

    now = desk.clock()
    with desk.db.write() as conn:
        (case,) = cases_repo.list_cases(conn, limit=1)
        registered = f"{case.registered_at:%Y-%m-%dT%H:%M:%S%z}"
        sync_state.record_conflict(
            conn,
            direction="push",
            code="workflow",
            message="单位已在服务器上给出处理意见",
            now=now,
            op_id="6f0c0b8e-2d7e-4a4e-9d55-0d8c3c1f0a11",
            case_id=case.id,
            case_no=case.number,
            local_version={
                "case_no": case.number,
                "event": {
                    "type": "opinion_given",
                    "at": now.isoformat(),
                    "actor": "clerk:wang",
                    "data": {"kind": "handled", "text": "已电话告知反映人（13812345678）办理进度"},
                },
            },
            server_version=_server_answered(case.number, registered, now),
        )
        sync_state.record_conflict(
            conn,
            direction="pull",
            code="workflow",
            message="案件已办结，不能再退回",
            now=now,
            case_id=case.id,
            case_no=case.number,
            local_version=[{"type": "registered", "at": registered}],
            server_version={
                "case_no": case.number,
                "event": {
                    "type": "unit_returned",
                    "at": now.isoformat(),
                    "actor": "unit:市人社局",
                    "data": {"reason": "不属于本单位职责"},
                },
            },
        )


def _server_answered(number: str, registered: str, now: Any) -> dict[str, Any]:
    """The server's version of a case whose unit answered there first."""
    return {
        "case_no": number,
        "status": "opinion_given",
        "events": [
            {"type": "registered", "at": registered, "actor": "clerk:wang", "data": {}},
            {
                "type": "opinion_given",
                "at": now.isoformat(),
                "actor": "unit:省公安厅",
                "data": {"kind": "handled", "text": "已一次性告知所需材料并受理"},
            },
        ],
    }


def shoot_sync(shooter: Shooter, window: Any, screens: Any, accounts: Any, ui: Any) -> None:
    """The sync state in the status bar (offline, with conflicts) and the lead's dialog."""
    from datetime import timedelta

    from dnw_desk.sync.client import SyncStatus
    from dnw_desk.ui.conflicts_dialog import ConflictsDialog
    from dnw_desk.ui.sync_status import SyncView

    desk = ui.desk
    demo_conflicts(desk)
    screens.session.on_login_page_logged_in(accounts.authenticate("li", "lead-pass"))
    since = desk.clock() - timedelta(minutes=47)
    status = SyncStatus("offline", pending=4, conflicts=2, offline_since=since)
    screens.sync.widget.show_view(SyncView(status, "https://dnw.example.gov.cn", desk.clock()))
    shooter.shoot(window, "sync-offline-conflicts")
    shooter.shoot_dialog(ConflictsDialog(ui, window), "sync-conflicts")
    screens.sync.widget.show_view(SyncView(SyncStatus("synced", last_synced_at=since)))
    shooter.shoot(window, "sync-synced")


def shoot_handling(
    shooter: Shooter, window: Any, screens: Any, accounts: Any, ui: Any, suffix: str, tmp: Path
) -> None:
    """A clerk's case with its proof attached, the queue, and the shift lead's review."""
    from dnw_desk.services.attachments import attach_files, blobs_of
    from dnw_desk.ui.attachments import AttachmentViewer
    from dnw_desk.ui.case_detail import CaseDetailDialog

    desk = ui.desk
    with desk.db.read() as conn:
        from dnw_desk.store import cases_repo

        (case, *_rest) = cases_repo.list_cases(conn, limit=1)
    proof = tmp / "超期未受理的申请回执.png"
    if not proof.exists():
        write_demo_proof(proof)
        attach_files(desk.cases, blobs_of(desk), case.id, [proof], CLERK)
    detail = CaseDetailDialog(ui, case.id, window)
    detail.resize(1200, 720)
    shooter.shoot_dialog(detail, f"case-detail{suffix}")
    viewer = AttachmentViewer(proof.name, proof.read_bytes(), window)
    shooter.shoot_dialog(viewer, f"attachment-viewer{suffix}")
    session, features = screens.session, screens.queue
    features.show_queue()
    shooter.shoot(window, f"queue{suffix}")
    session.on_login_page_logged_in(accounts.authenticate("li", "lead-pass"))
    features.show_review()
    shooter.shoot(window, f"review{suffix}")
    session.on_login_page_logged_in(accounts.authenticate("wang", "clerk-pass"))
    session.pages.setCurrentWidget(session.intake)


def write_demo_proof(path: Path) -> None:
    """A stand-in for a scanned application receipt."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    image = QImage(900, 600, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(QFont("Noto Sans CJK SC", 28))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, "受理回执\n（申请已超过承诺时限）")
    painter.end()
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")


def damaged_error(data_dir: Path) -> Any:
    """What opening a damaged database really raises, with a backup to offer."""
    from dnw_desk.store.schema import DatabaseDamaged, open_database

    data_dir.mkdir()
    (data_dir / "dnw-desk.sqlite3").write_bytes(b"this is not a database" * 100)
    (data_dir / "backups").mkdir()
    (data_dir / "backups" / "dnw-desk-20261123-103200-daily.sqlite3").write_bytes(b"")
    try:
        open_database(data_dir)
    except DatabaseDamaged as error:
        return error
    raise AssertionError("a garbage file opened as a database")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    QTimer.singleShot(0, lambda: None)
    saved = run(args.out, language="zh_CN", suffix="", large_font=False, full=True)
    saved += run(args.out, language="zh_CN", suffix="-large-font", large_font=True, full=False)
    saved += run(args.out, language="en", suffix="-en", large_font=False, full=False)
    print(f"{len(saved)} screenshots in {args.out}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
