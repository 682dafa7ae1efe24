"""``dnw-desk calendar``: deadlines, coverage of a year, importing an override
(docs/rules.md#calendar)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from dnw_desk.domain.calendar import WorkingCalendar

# Who the audit log names for changes made from the command line.
CLI_ACTOR = "admin:cli"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "calendar",
        help=_("working-day calendar: deadlines, coverage, override import"),
        description=_("Working-day calendar: deadlines, coverage of a year, override import."),
    )
    parser.set_defaults(handler=run, calendar_command=None)
    commands = parser.add_subparsers(dest="calendar_command", metavar="ACTION")

    deadline = commands.add_parser("deadline", help=_("the feedback deadline for a referral"))
    deadline.add_argument("when", help=_('referral time in hall time, e.g. "2026-09-30 16:00"'))
    deadline.add_argument("--json", action="store_true", help=_("print JSON"))
    deadline.add_argument(
        "--rule", default="civil-code", help=_("civil-code (default) or working-hours:N")
    )
    deadline.add_argument(
        "--hours",
        default=None,
        help=_('opening hours, default "09:00-12:00,13:30-17:30"'),
    )

    check = commands.add_parser(
        "check", help=_("whether a year is covered officially (exit 1 if provisional)")
    )
    check.add_argument("year", type=int)

    importer = commands.add_parser("import", help=_("validate and install an override file"))
    importer.add_argument("file", type=Path)


def run(args: argparse.Namespace) -> int:
    action = args.calendar_command
    if action == "deadline":
        return _deadline(args)
    if action == "check":
        return _check(args)
    if action == "import":
        return _import(args)
    print(_("Choose an action: deadline, check or import."), file=sys.stderr)
    return 2


def _deadline(args: argparse.Namespace) -> int:
    from dnw_desk.clock import to_hall_time
    from dnw_desk.domain.calendar import CalendarGuardError
    from dnw_desk.domain.deadlines import DeadlineCalculator, DeadlineRule
    from dnw_desk.domain.working_time import OpeningHours
    from dnw_desk.store.calendar_file import load_calendar

    try:
        referred_at = to_hall_time(datetime.fromisoformat(args.when.strip()))
        rule = DeadlineRule.parse(args.rule)
        hours = OpeningHours.parse(args.hours) if args.hours else OpeningHours()
    except ValueError as exc:
        print(_("Invalid input: {reason}").format(reason=exc), file=sys.stderr)
        return 2
    calendar = load_calendar(args.data_dir)
    _warn_broken_override(calendar.override_error)
    try:
        result = DeadlineCalculator(calendar, hours, rule).deadline_for(referred_at)
    except CalendarGuardError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return 0
    print(_("Referred:  {moment}").format(moment=f"{referred_at:%Y-%m-%d %H:%M %a}"))
    print(_("Deadline:  {moment}").format(moment=f"{result.deadline:%Y-%m-%d %H:%M %a}"))
    if result.provisional:
        print(_("PROVISIONAL: the official holiday schedule for this period is not installed."))
    print(
        _("Rule: {rule}; calendar version: {version}").format(
            rule=result.rule, version=result.calendar_version
        )
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    from dnw_desk.store.calendar_file import load_calendar

    calendar = load_calendar(args.data_dir)
    _warn_broken_override(calendar.override_error)
    source = calendar.year_source(args.year)
    if source == "override":
        print(
            _("{year}: covered officially by the installed override ({source}).").format(
                year=args.year, source=calendar.override.source if calendar.override else ""
            )
        )
        return 0
    if source == "chinesecalendar":
        print(
            _("{year}: covered officially by the chinesecalendar package.").format(year=args.year)
        )
        return 0
    print(
        _(
            "{year}: PROVISIONAL — only weekends and statutory holidays are known. Import the "
            "State Council's schedule with `dnw-desk calendar import FILE`."
        ).format(year=args.year)
    )
    return 1


def _import(args: argparse.Namespace) -> int:
    from dnw_desk.domain.calendar import WorkingCalendar
    from dnw_desk.domain.calendar_override import OverrideError
    from dnw_desk.store.calendar_file import (
        install_override,
        installed_override_path,
        load_calendar,
        read_override,
    )
    from dnw_desk.store.database import StoreError
    from dnw_desk.store.schema import InstanceLock, ensure_data_dir

    try:
        override = read_override(args.file)  # validate before touching anything
    except OverrideError as exc:
        print(_("Refused: {problem}").format(problem=exc.describe()), file=sys.stderr)
        print(_("Nothing was changed."), file=sys.stderr)
        return 1
    previous = load_calendar(args.data_dir)
    target = installed_override_path(args.data_dir)
    lock = InstanceLock(args.data_dir)
    try:
        ensure_data_dir(args.data_dir)
        # The running desk holds the data dir; it must not keep computing with the old calendar.
        lock.acquire()
    except StoreError as exc:
        print(_("Refused: {problem}").format(problem=exc), file=sys.stderr)
        print(_("Nothing was changed."), file=sys.stderr)
        return 1
    previous_text = target.read_bytes() if target.exists() else None
    try:
        try:
            override = install_override(args.data_dir, args.file)
            calendar = WorkingCalendar(override)
            summary = _recompute_open_cases(args.data_dir, calendar)
        except Exception as exc:
            _restore(target, previous_text)
            print(_("Could not install the override: {reason}").format(reason=exc), file=sys.stderr)
            print(_("Nothing was changed."), file=sys.stderr)
            return 1
    finally:
        lock.release()
    years = ", ".join(str(y) for y in sorted(override.complete_years)) or "-"
    print(
        _("Installed calendar override {version} ({source}); complete years: {years}.").format(
            version=override.version, source=override.source, years=years
        )
    )
    print(_("Calendar version: {old} -> {new}").format(old=previous.version, new=calendar.version))
    print(summary)
    return 0


def _recompute_open_cases(data_dir: Path, calendar: WorkingCalendar) -> str:
    """Recompute the deadlines of the open cases in the data dir's database, if there is one."""
    from dnw_desk.clock import system_clock
    from dnw_desk.services.calendar_change import recompute_open_deadlines
    from dnw_desk.services.desk import deadline_calculator, open_desk
    from dnw_desk.store.database import DB_FILENAME

    if not (data_dir / DB_FILENAME).exists():
        return _("No case database yet: no deadlines to recompute.")
    desk = open_desk(data_dir)
    try:
        result = recompute_open_deadlines(
            desk.db,
            deadline_calculator(desk.settings, calendar),
            desk.terminal,
            actor=CLI_ACTOR,
            now=system_clock(),
        )
    finally:
        desk.close()
    return _(
        "Recomputed {examined} open cases: {changed} deadlines changed, "
        "{kept} kept (set by an extension)."
    ).format(examined=result.examined, changed=len(result.changed), kept=result.kept_extensions)


def _restore(target: Path, previous_text: bytes | None) -> None:
    import os

    if previous_text is None:
        target.unlink(missing_ok=True)
        return
    temp = target.with_suffix(".restore.tmp")
    temp.write_bytes(previous_text)
    os.replace(temp, target)


def _warn_broken_override(error: Exception | None) -> None:
    if error is not None:
        print(
            _("Warning: the installed calendar override is ignored: {problem}").format(
                problem=error
            ),
            file=sys.stderr,
        )
