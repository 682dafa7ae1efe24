"""``dnw-desk audit verify``: check the audit log's hash chain."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="audit log tools")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check the hash chain; exit 1 and name the first broken entry, 2 when the "
        "database cannot be read",
    )
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from dnw_desk.store.audit import ChainReport, verify_chain
    from dnw_desk.store.database import DB_FILENAME, Database, read_only_connection, writable
    from dnw_desk.store.schema import stored_revision

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
        if writable(args.data_dir) and writable(db_path):
            db = Database(db_path)
            try:
                with db.read() as conn:
                    report = verify_chain(conn)
            finally:
                db.close()
        else:  # a read-only copy or mount can still be verified
            with read_only_connection(db_path) as conn:
                report = verify_chain(conn)
    except (DBAPIError, Exception) as exc:  # any failure to read is the answer here
        print(f"audit verify: cannot read the database: {exc}", file=sys.stderr)
        return 2
    if report.ok:
        print(f"audit chain ok: {report.entries} entries")
        return 0
    print(
        f"audit chain BROKEN at entry {report.first_broken_id}: {report.problem} "
        f"({report.entries} entries before it verify)"
    )
    return 1
