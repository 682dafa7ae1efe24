"""``dnw-desk privacy purge [--dry-run]``: erase personal data past the retention period now
(the running desk does it daily by itself)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dnw_desk.i18n import _


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "privacy",
        help=_("personal data: erase it after the retention period"),
        description=_(
            "Erase the personal data of cases closed more than the retention period ago "
            "(a setting) and fully synced; the case number, status and figures stay."
        ),
    )
    actions = parser.add_subparsers(dest="privacy_action", metavar="ACTION", required=True)
    purge = actions.add_parser("purge", help=_("erase what is due now"))
    purge.add_argument(
        "--dry-run", action="store_true", help=_("list what would be erased, change nothing")
    )
    purge.set_defaults(handler=run_purge)


def run_purge(args: argparse.Namespace) -> int:
    from dnw_desk.clock import system_clock
    from dnw_desk.services.retention import purge_personal_data
    from dnw_desk.services.settings import load_settings
    from dnw_desk.store.database import DB_FILENAME, StoreError
    from dnw_desk.store.schema import InstanceLock, open_database

    if not (args.data_dir / DB_FILENAME).exists():
        print(_("No database in {path}.").format(path=args.data_dir), file=sys.stderr)
        return 2
    lock = InstanceLock(args.data_dir)
    try:
        lock.acquire()
        db = open_database(args.data_dir)
    except StoreError as exc:
        lock.release()
        print(str(exc), file=sys.stderr)
        return 1
    try:
        days = load_settings(db).retention_days
        report = purge_personal_data(db, days, system_clock(), dry_run=args.dry_run)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        db.close()
        lock.release()
    for number in report.numbers:
        print(number)
    template = (
        _("{count} cases are due (retention {days} days); nothing was changed.")
        if report.dry_run
        else _("Erased the personal data of {count} cases (retention {days} days).")
    )
    print(template.format(count=report.count, days=days), file=sys.stderr)
    return 0
