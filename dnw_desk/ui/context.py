"""What every screen needs, passed explicitly (no singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from dnw_desk.services.desk import Desk
from dnw_desk.ui.changes import ChangeBus
from dnw_desk.ui.tasks import ImmediateTaskRunner, TaskRunner


@dataclass
class DeskUi:
    desk: Desk
    tasks: TaskRunner | ImmediateTaskRunner
    bus: ChangeBus
