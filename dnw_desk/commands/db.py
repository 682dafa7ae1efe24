"""``dnw-desk db``: check, back up and restore the data dir's database (for the hall's IT)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dnw_desk.i18n import _


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help=_("check, back up or restore the database"))
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    actions.add_parser(
        "check",
        help="SQLite integrity check; exit 0 ok, 1 damaged or without schema, 2 no database, "
        "3 intact but read-only",
    ).set_defaults(handler=run_check)
    actions.add_parser("backup", help="take a backup copy now").set_defaults(handler=run_backup)
    restore = actions.add_parser(
        "restore",
        help="set the current database aside (kept in damaged/) and restore a backup",
    )
    restore.add_argument("--backup", type=Path, help="backup file (default: the newest)")
    restore.set_defaults(handler=run_restore)


def run_check(args: argparse.Namespace) -> int:
    from dnw_desk.store.database import (
        DB_FILENAME,
        Database,
        StoreError,
        read_only_connection,
        writable,
    )
    from dnw_desk.store.schema import stored_revision

    db_path = args.data_dir / DB_FILENAME
    if not db_path.exists():
        print(f"db check: no database in {args.data_dir}", file=sys.stderr)
        return 2
    read_only = not (writable(args.data_dir) and writable(db_path))
    try:
        revision = stored_revision(db_path)
        if read_only:
            # The normal open needs to write next to the file; on a read-only mount that
            # failure is not damage, and must not send anyone to `db restore`.
            with read_only_connection(db_path) as conn:
                result = str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())
        else:
            db = Database(db_path)
            try:
                result = db.integrity_check()
            finally:
                db.close()
    except (StoreError, Exception) as exc:  # any failure to read is the answer here
        print(f"db check: DAMAGED: {exc}")
        return 1
    if result == "ok" and revision is None:
        print(
            "db check: the database has no schema: its creation was interrupted. It holds no "
            "cases; the desk creates the schema at its next start."
        )
        return 1
    if result == "ok" and read_only:
        print(
            f"db check: ok (schema {revision}), but READ-ONLY: the desk cannot save in "
            f"{args.data_dir}. Fix the permissions or the mount; do not restore a backup."
        )
        return 3
    print(f"db check: {result} (schema {revision})")
    return 0 if result == "ok" else 1


def run_backup(args: argparse.Namespace) -> int:
    import sqlite3

    from dnw_desk.store.database import DB_FILENAME, writable
    from dnw_desk.store.schema import backup_database

    db_path = args.data_dir / DB_FILENAME
    if not db_path.exists():
        print(f"db backup: no database in {args.data_dir}", file=sys.stderr)
        return 2
    if not writable(args.data_dir):
        print(
            f"db backup: the data directory {args.data_dir} is read-only; no backup can be "
            "written there",
            file=sys.stderr,
        )
        return 1
    try:
        target = backup_database(db_path, "manual")
    except (OSError, sqlite3.Error) as exc:
        print(f"db backup: FAILED, no backup was written: {exc}", file=sys.stderr)
        return 1
    print(f"db backup: {target}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from dnw_desk.clock import system_clock
    from dnw_desk.store.database import StoreError
    from dnw_desk.store.schema import InstanceLock, latest_backup, set_aside_and_restore

    backup = args.backup or latest_backup(args.data_dir)
    if backup is None or not Path(backup).exists():
        print("db restore: there is no backup to restore", file=sys.stderr)
        return 2
    lock = InstanceLock(args.data_dir)
    try:
        lock.acquire()
    except StoreError as exc:
        print(f"db restore: {exc}", file=sys.stderr)
        return 1
    try:
        aside = set_aside_and_restore(args.data_dir, Path(backup), system_clock())
    finally:
        lock.release()
    print(f"db restore: restored {backup}; the previous database is kept as {aside}")
    return 0
