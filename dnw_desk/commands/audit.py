"""``dnw-desk audit verify``: check the audit log's hash chain."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="audit log tools")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", help="check the hash chain; exit 1 and name the first broken entry"
    )
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from dnw_desk.store.audit import verify_chain
    from dnw_desk.store.database import DB_FILENAME, Database

    db_path = args.data_dir / DB_FILENAME
    if not db_path.exists():
        print(f"audit verify: no database in {args.data_dir}", file=sys.stderr)
        return 2
    db = Database(db_path)
    try:
        with db.read() as conn:
            report = verify_chain(conn)
    finally:
        db.close()
    if report.ok:
        print(f"audit chain ok: {report.entries} entries")
        return 0
    print(
        f"audit chain BROKEN at entry {report.first_broken_id}: {report.problem} "
        f"({report.entries} entries before it verify)"
    )
    return 1
