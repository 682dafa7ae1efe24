"""The screens of an open desk, built into the main window and held in one typed object.

The composition root (``app.py``) and everything else that needs a whole desk on screen (the GUI
tests, ``ui/screenshots.py``) build it here, so none of them depends on the start-up code and the
window carries no attributes bolted on from outside. The imports are inside the functions: the
start-up window is shown before any of these modules is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dnw_desk.local_settings import LocalSettings
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.services.desk import Desk
    from dnw_desk.ui.citizen_screen import CitizenMirror
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.daily_backup import DailyBackup
    from dnw_desk.ui.desk_session import DeskSession
    from dnw_desk.ui.desk_sms import DeskSms
    from dnw_desk.ui.desk_sync import DeskSync
    from dnw_desk.ui.main_window import MainWindow
    from dnw_desk.ui.privacy import PrivacyCurtain
    from dnw_desk.ui.queue.install import QueueFeatures


@dataclass
class Screens:
    """What an open desk shows in its main window."""

    session: DeskSession  # login, idle lock, settings, the intake page
    queue: QueueFeatures  # the queue, case detail, alerts and review
    privacy: PrivacyCurtain  # dialogs hidden while no one is logged in
    sync: DeskSync  # sync state in the status bar, conflicts for the shift lead
    backup: DailyBackup
    # The second monitor facing the citizen; None on a PC with one screen (or switched off).
    citizen: CitizenMirror | None = None
    sms: DeskSms | None = None  # the text-message sender and its failures

    def start_background(self) -> None:
        """After the screens are built: the sync worker (if enrolled), the daily backup and the
        text-message sender."""
        self.sync.start()
        self.backup.start()
        if self.sms is not None:
            self.sms.start()

    def stop_background(self) -> None:
        """Before the database closes: the sync thread ends, no further backup checks."""
        self.sync.shutdown()
        self.backup.stop()
        if self.sms is not None:
            self.sms.shutdown()


_screens_frozen = False


def freeze_start_up_heap() -> None:
    """Collect once, then move every object start-up made out of the garbage collector's
    sight (``gc.freeze``): they live as long as the desk. A full collection walks every tracked
    object — ~110 000 once the screens are built, ~100 ms on a counter PC during which every
    thread waits, the GUI's too — and a keystroke or a case opened during one takes that much
    longer; frozen, a full collection only walks what was made since (a few ms). Once a
    process: what a reopened desk's screens leave behind is collected as usual. (The imports
    were frozen already when the window first showed, so the freeze count cannot tell.)"""
    import gc

    global _screens_frozen
    if not _screens_frozen:
        _screens_frozen = True
        gc.collect()
        gc.freeze()


def build_ui(
    desk: Desk, local: LocalSettings, tasks: Any | None = None
) -> tuple[DeskUi, AccountService]:
    """The UI context for one open desk."""
    from dnw_desk.printing.db_store import DatabaseJobStore
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.ui.changes import ChangeBus
    from dnw_desk.ui.context import DeskUi
    from dnw_desk.ui.print_jobs import PrintJobs
    from dnw_desk.ui.tasks import TaskRunner

    runner = tasks if tasks is not None else TaskRunner()
    printing = PrintJobs(
        runner,
        desk.data_dir,
        local.printer_uri,
        local.printer_profile,
        desk.clock,
        store=DatabaseJobStore(desk.db),
    )
    ui = DeskUi(desk=desk, tasks=runner, bus=ChangeBus(), local=local, printing=printing)
    printing.desk = desk
    printing.actor_of = lambda: ui.actor
    return ui, AccountService(desk.db, desk.clock)


def build_window(ui: DeskUi, accounts: AccountService) -> tuple[MainWindow, Screens]:
    """A new main window for an open desk, with all its screens."""
    from dnw_desk.ui.main_window import MainWindow

    window = MainWindow()
    return window, build_screens(window, ui, accounts)


def build_screens(window: MainWindow, ui: DeskUi, accounts: AccountService) -> Screens:
    """Give the (possibly already shown) main window the open desk and its screens."""
    from dnw_desk.ui.citizen_screen import install_citizen_screen
    from dnw_desk.ui.daily_backup import DailyBackup
    from dnw_desk.ui.desk_session import DeskSession
    from dnw_desk.ui.desk_sms import DeskSms
    from dnw_desk.ui.desk_sync import DeskSync
    from dnw_desk.ui.privacy import PrivacyCurtain
    from dnw_desk.ui.queue.install import install as install_queue

    # Building the screens moves the window's focus to hidden fields: where the clerk was
    # already typing on the login page is given back afterwards, or the next keys go nowhere.
    typing_in = window.focusWidget()
    window.attach(ui)
    session = DeskSession(window, ui, accounts)
    screens = Screens(
        session=session,
        queue=install_queue(window, ui, session.sig_actor_changed),
        privacy=PrivacyCurtain(session.sig_actor_changed, window),
        # Both start with ``start_background``: the worker and the copy are I/O, not building.
        sync=DeskSync(window, ui, session.sig_actor_changed),
        backup=DailyBackup(ui, window.statusBar(), window),
        citizen=install_citizen_screen(ui, session),
        sms=DeskSms(window, ui),
    )
    if ui.printing is not None:
        # Jobs a previous run left queued print now; failed ones are listed for retry.
        ui.printing.start()
    if typing_in is not None and session.login_page.isAncestorOf(typing_in):
        typing_in.setFocus()
    return screens
