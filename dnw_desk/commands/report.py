"""``dnw-desk report``: the day ledger PDF, the monthly per-unit bulletin and the supervision
notice (督办单) of an escalated case."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Any

from dnw_desk.i18n import _


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help=_("day ledger and per-unit bulletin"),
        description=_("Write the day ledger (PDF) or the monthly per-unit bulletin (PDF/XLSX)."),
    )
    parser.set_defaults(handler=run, report_command=None)
    commands = parser.add_subparsers(dest="report_command", metavar="REPORT")
    daily = commands.add_parser("daily", help=_("the day ledger as a PDF"))
    daily.add_argument(
        "--date", type=parse_day, default=None, help=_("YYYY-MM-DD (default: today)")
    )
    daily.add_argument("--out", type=Path, required=True, help=_("the PDF file to write"))
    daily.add_argument(
        "--unmasked", action="store_true", help=_("show personal data in full (audited)")
    )
    daily.add_argument("--reason", default="", help=_("why the unmasked copy is needed"))
    units = commands.add_parser("units", help=_("the monthly per-unit bulletin"))
    units.add_argument("--month", type=parse_month, required=True, help=_("YYYY-MM"))
    units.add_argument("--out", type=Path, required=True, help=_("a .pdf or .xlsx file"))
    notice = commands.add_parser(
        "supervision", help=_("the supervision notice (督办单) of an escalated case")
    )
    notice.add_argument("--case", required=True, help=_("the case number"))
    notice.add_argument("--out", type=Path, required=True, help=_("the PDF file to write"))


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a date (YYYY-MM-DD).").format(text=text)
        ) from None


def parse_month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a month (YYYY-MM).").format(text=text)
        ) from None


def run(args: argparse.Namespace) -> int:
    from dnw_desk.domain.errors import DomainError
    from dnw_desk.reports import jobs
    from dnw_desk.services.desk import open_desk
    from dnw_desk.store.database import StoreError

    if args.report_command not in ("daily", "units", "supervision"):
        print(_("Choose a report: daily, units or supervision."), file=sys.stderr)
        return 2
    from dnw_desk.commands.outputs import missing_folder

    problem = missing_folder(args.out)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        desk = open_desk(args.data_dir)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        if args.report_command == "daily":
            day = args.date or desk.clock().date()
            count = jobs.daily_pdf(
                desk,
                day,
                args.out,
                masked=not args.unmasked,
                reason=args.reason,
                command_line_user=getpass.getuser(),
            )
            print(
                _("Wrote the day ledger of {day} ({count} cases) to {path}").format(
                    day=day.isoformat(), count=count, path=args.out
                )
            )
        elif args.report_command == "supervision":
            unit = jobs.supervision_pdf(desk, args.case, args.out)
            print(
                _("Wrote the supervision notice of {number} for {unit} to {path}").format(
                    number=args.case, unit=unit, path=args.out
                )
            )
        else:
            count = jobs.units_report(desk, args.month, args.out)
            print(
                _("Wrote the bulletin for {month} ({count} units) to {path}").format(
                    month=f"{args.month:%Y-%m}", count=count, path=args.out
                )
            )
    except (DomainError, ValueError, OSError) as exc:
        print(_("Error: {problem}").format(problem=exc), file=sys.stderr)
        return 1
    finally:
        desk.close()
    return 0
