"""What every screen needs, passed explicitly (no singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dnw_desk.local_settings import LocalSettings

if TYPE_CHECKING:
    # Types only: the start-up window imports this module before the database (and SQLAlchemy)
    # is opened on the DB lane.
    from dnw_desk.domain.roles import Actor
    from dnw_desk.services.desk import Desk
    from dnw_desk.ui.changes import ChangeBus
    from dnw_desk.ui.print_jobs import PrintJobs
    from dnw_desk.ui.tasks import ImmediateTaskRunner, TaskRunner


@dataclass
class DeskUi:
    desk: Desk
    tasks: TaskRunner | ImmediateTaskRunner
    bus: ChangeBus
    # Device-local settings (printer, language, large font); saved by the settings dialog.
    local: LocalSettings = field(default_factory=LocalSettings)
    # Who is logged in at the counter; None while the login screen shows.
    actor: Actor | None = None
    # The print seam (receipts, slips, the test page); built by the composition root.
    printing: PrintJobs | None = None
    # Asks the citizen at the counter to rate an answered case on the screen facing them
    # (case id, number); None without that screen.
    ask_rating: Callable[[str, str], None] | None = None

    def __post_init__(self) -> None:
        # The runner publishes what a task's result says changed, on this desk's bus.
        self.tasks.bus = self.bus
