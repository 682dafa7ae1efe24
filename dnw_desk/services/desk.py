"""The composition of one data dir's services: database, settings, calendar, case service.

An explicit context object (git-cola's ApplicationContext) instead of module singletons; the GUI,
the command line and tests all build it through ``open_desk``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dnw_desk.clock import Clock, system_clock
from dnw_desk.domain.alerts import AlertThresholds
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.deadlines import DeadlineCalculator, DeadlineRule
from dnw_desk.domain.working_time import OpeningHours
from dnw_desk.services.cases import CaseService, Terminal
from dnw_desk.services.settings import BusinessSettings, load_settings
from dnw_desk.store.calendar_file import load_calendar
from dnw_desk.store.database import Database
from dnw_desk.store.schema import InstanceLock, ensure_data_dir, open_database


@dataclass
class Desk:
    data_dir: Path
    db: Database
    clock: Clock
    settings: BusinessSettings
    calendar: WorkingCalendar
    deadlines: DeadlineCalculator
    cases: CaseService

    @property
    def terminal(self) -> Terminal:
        return Terminal(self.settings.hall_code, self.settings.window_no)

    @property
    def alert_thresholds(self) -> AlertThresholds:
        return alert_thresholds(self.settings)

    def reload(self) -> None:
        """Rebuild after settings or the calendar override changed."""
        self.settings = load_settings(self.db)
        self.calendar = load_calendar(self.data_dir)
        self.deadlines = deadline_calculator(self.settings, self.calendar)
        self.cases = CaseService(
            self.db,
            self.terminal,
            self.deadlines.deadline_for,
            self.clock,
            dict(self.settings.unit_ids),
        )

    def close(self) -> None:
        self.db.close()


def deadline_calculator(
    settings: BusinessSettings, calendar: WorkingCalendar
) -> DeadlineCalculator:
    return DeadlineCalculator(
        calendar,
        OpeningHours.parse(settings.opening_hours),
        DeadlineRule.parse(settings.deadline_rule),
    )


def alert_thresholds(settings: BusinessSettings) -> AlertThresholds:
    from datetime import timedelta

    return AlertThresholds(
        reminder_fraction=settings.reminder_fraction,
        warning_left=timedelta(hours=settings.warning_hours),
    )


def open_desk(data_dir: Path, clock: Clock = system_clock) -> Desk:
    db = open_database(data_dir)
    settings = load_settings(db)
    calendar = load_calendar(data_dir)
    deadlines = deadline_calculator(settings, calendar)
    terminal = Terminal(settings.hall_code, settings.window_no)
    return Desk(
        data_dir=data_dir,
        db=db,
        clock=clock,
        settings=settings,
        calendar=calendar,
        deadlines=deadlines,
        cases=CaseService(db, terminal, deadlines.deadline_for, clock, dict(settings.unit_ids)),
    )


@contextmanager
def locked_desk(data_dir: Path) -> Iterator[Desk]:
    """The data dir's desk for a command that writes: held against a running desk (or another
    command) for as long as the block runs. Raises ``StoreError`` when it is held already or
    cannot be opened; the lock is released whatever happens."""
    lock = InstanceLock(data_dir)
    ensure_data_dir(data_dir)
    lock.acquire()
    try:
        desk = open_desk(data_dir)
        try:
            yield desk
        finally:
            desk.close()
    finally:
        lock.release()
