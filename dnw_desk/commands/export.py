"""``dnw-desk export ledger``: the ledger of a date range as XLSX or CSV (masked by default)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from dnw_desk.commands.report import parse_day
from dnw_desk.i18n import _


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help=_("export the ledger (XLSX/CSV)"),
        description=_("Export the ledger of a date range. Personal data is masked by default."),
    )
    parser.set_defaults(handler=run, export_command=None)
    commands = parser.add_subparsers(dest="export_command", metavar="WHAT")
    ledger = commands.add_parser("ledger", help=_("cases registered in a date range"))
    ledger.add_argument("--from", dest="first", type=parse_day, required=True, help=_("YYYY-MM-DD"))
    ledger.add_argument("--to", dest="last", type=parse_day, required=True, help=_("YYYY-MM-DD"))
    ledger.add_argument("--out", type=Path, required=True, help=_("a .xlsx or .csv file"))
    ledger.add_argument(
        "--unmasked", action="store_true", help=_("show personal data in full (audited)")
    )
    ledger.add_argument("--reason", default="", help=_("why the unmasked export is needed"))


def run(args: argparse.Namespace) -> int:
    from dnw_desk.domain.errors import DomainError
    from dnw_desk.reports import jobs
    from dnw_desk.services.desk import open_desk
    from dnw_desk.services.review import ExportRequest
    from dnw_desk.store.database import StoreError

    if args.export_command != "ledger":
        print(_("Choose what to export: ledger."), file=sys.stderr)
        return 2
    if args.last < args.first:
        print(_("--to must not be before --from."), file=sys.stderr)
        return 2
    if args.unmasked and not args.reason.strip():
        print(_("An unmasked export needs --reason."), file=sys.stderr)
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
    request = ExportRequest(
        args.first, args.last, not args.unmasked, args.reason, args.out.suffix.lower().lstrip(".")
    )
    try:
        count = jobs.ledger_export(desk, request, args.out, command_line_user=getpass.getuser())
    except (DomainError, ValueError, OSError) as exc:
        print(_("Error: {problem}").format(problem=exc), file=sys.stderr)
        return 1
    finally:
        desk.close()
    print(_("Exported {count} cases to {path}").format(count=count, path=args.out))
    return 0
