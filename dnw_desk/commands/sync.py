"""``dnw-desk sync --once``: one push/pull round for scripts and checks (or a foreground loop)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import Any

from dnw_desk.i18n import _

EXIT_CODES = {"synced": 0, "pending": 1, "offline": 3, "error": 4, "not_enrolled": 2}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        help=_("push the outbox to the server and pull units' feedback"),
        description=_(
            "Push pending operations to the central server and pull units' feedback. Exit "
            "code: 0 synced, 1 still pending, 2 not enrolled, 3 offline, 4 error."
        ),
    )
    parser.add_argument("--once", action="store_true", help=_("one round, then exit"))
    parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    parser.add_argument(
        "--conflicts", action="store_true", help=_("list unresolved conflicts and exit")
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dnw_desk.store.database import StoreError
    from dnw_desk.store.schema import open_database
    from dnw_desk.sync import state as sync_state
    from dnw_desk.sync.worker import SyncWorker, client_for, sync_once

    try:
        db = open_database(args.data_dir)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CODES["error"]
    try:
        if args.conflicts:
            with db.read() as conn:
                conflicts = sync_state.open_conflicts(conn)
            for conflict in conflicts:
                print(
                    f"{conflict.id}\t{conflict.direction}\t{conflict.case_no or '-'}\t"
                    f"{conflict.code}\t{conflict.message}"
                )
            return 0
        if args.once:
            report = sync_once(db, args.data_dir)
            status = report.status
            if args.json:
                print(
                    json.dumps(
                        {
                            "state": status.state,
                            "pending": status.pending,
                            "conflicts": status.conflicts,
                            "pushed": report.pushed,
                            "duplicates": report.duplicates,
                            "push_conflicts": report.conflicts,
                            "pulled": report.pulled,
                            "error": status.error,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                print(status.text())
            return EXIT_CODES[status.state]
        worker = SyncWorker(
            lambda: client_for(db, args.data_dir),
            lambda status: print(status.text(), flush=True),
            db=db,
        )
        with contextlib.suppress(KeyboardInterrupt):
            worker.run()
        return 0
    finally:
        db.close()
