"""``dnw-desk audit verify``: check the audit log's hash chain, every case and event row
against the entries that cover them, and (when enrolled and reachable) the chain's head against
the anchor kept by the server."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dnw_desk.i18n import _


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help=_("audit log tools"))
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check the hash chain; exit 1 and name the first broken entry, 2 when the "
        "database cannot be read",
    )
    verify.add_argument(
        "--offline", action="store_true", help="do not compare with the server's anchor"
    )
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from dnw_desk.store.audit import ChainReport, verify_chain
    from dnw_desk.store.coverage import Coverage, verify_rows
    from dnw_desk.store.database import DB_FILENAME, Database, read_only_connection, writable
    from dnw_desk.store.schema import stored_revision
    from dnw_desk.sync.anchor import check_with_server

    db_path = args.data_dir / DB_FILENAME
    if not db_path.exists():
        print(f"audit verify: no database in {args.data_dir}", file=sys.stderr)
        return 2
    report: ChainReport
    try:
        if stored_revision(db_path) is None:
            print(
                f"audit verify: the database in {args.data_dir} has no schema (its creation was "
                "interrupted); there is no audit log to verify",
                file=sys.stderr,
            )
            return 2
        covered = Coverage({}, {})
        if writable(args.data_dir) and writable(db_path):
            db = Database(db_path)
            try:
                with db.read() as conn:
                    report = verify_chain(conn, covered)
                    problems = verify_rows(conn, covered) if report.ok else []
                    anchor = (
                        check_with_server(db, args.data_dir, conn)
                        if report.ok and not args.offline
                        else None
                    )
            finally:
                db.close()
        else:  # a read-only copy or mount can still be verified (not against the server)
            with read_only_connection(db_path) as conn:
                report = verify_chain(conn, covered)
                problems = verify_rows(conn, covered) if report.ok else []
                anchor = None
    except (DBAPIError, Exception) as exc:  # any failure to read is the answer here
        print(f"audit verify: cannot read the database: {exc}", file=sys.stderr)
        return 2
    return _print_verdict(report, problems, anchor)


def _print_verdict(report: Any, problems: list[str], anchor: Any) -> int:
    """What ``audit verify`` found, and its exit code (0 ok, 1 broken)."""
    if not report.ok:
        print(
            f"audit chain BROKEN at entry {report.first_broken_id}: {report.problem} "
            f"({report.entries} entries before it verify)"
        )
        return 1
    if problems:
        print(f"audit chain ok: {report.entries} entries, but the data does NOT match it:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    if anchor is not None and anchor.state == "broken":
        print(f"audit chain BROKEN: {anchor.message}")
        return 1
    print(f"audit chain ok: {report.entries} entries; every case and event row matches it")
    print(f"server anchor: {anchor.message if anchor else 'not compared'}")
    return 0
