"""``dnw-desk sms configure …`` sets the text-message gateway; ``dnw-desk sms status`` counts the
outbox and lists the failing messages (the README's "Text messages" section)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from dnw_desk.i18n import _

# Option → business setting.
_OPTIONS = {
    "gateway": "sms_gateway",
    "url": "sms_url",
    "key_id": "sms_key_id",
    "secret_env": "sms_secret_env",
    "signature": "sms_signature",
    "template_ids": "sms_template_ids",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sms", help=_("text messages: the gateway and the outbox"))
    actions = parser.add_subparsers(dest="sms_action", metavar="ACTION", required=True)
    configure = actions.add_parser("configure", help=_("set the text-message gateway"))
    configure.add_argument("--gateway", choices=("log", "http"))
    configure.add_argument("--url", help="the provider's send endpoint")
    configure.add_argument("--key-id", help="the access key id")
    configure.add_argument(
        "--secret-env", help="the environment variable holding the secret (never stored)"
    )
    configure.add_argument("--signature", help="the registered signature (短信签名)")
    configure.add_argument(
        "--template-ids", help="registered=SMS_1,extended=SMS_2,fed_back=SMS_3,rating=SMS_4"
    )
    configure.set_defaults(handler=run_configure)
    status = actions.add_parser("status", help=_("count the outbox, list the failing messages"))
    status.set_defaults(handler=run_status)


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[Any]:
    """The data dir's database, with its instance lock (the desk must be closed: it reads the
    settings when it starts); None when there is none or it is in use."""
    from dnw_desk.store.database import DB_FILENAME, StoreError
    from dnw_desk.store.schema import InstanceLock, open_database

    if not (args.data_dir / DB_FILENAME).exists():
        print(_("No database in {path}.").format(path=args.data_dir), file=sys.stderr)
        yield None
        return
    lock = InstanceLock(args.data_dir)
    try:
        lock.acquire()
        db = open_database(args.data_dir)
    except StoreError as exc:
        lock.release()
        print(str(exc), file=sys.stderr)
        yield None
        return
    try:
        yield db
    finally:
        db.close()
        lock.release()


def run_configure(args: argparse.Namespace) -> int:
    from dnw_desk.clock import system_clock
    from dnw_desk.services.settings import load_settings, save_settings

    changes = {
        setting: getattr(args, option)
        for option, setting in _OPTIONS.items()
        if getattr(args, option) is not None
    }
    with _database(args) as db:
        if db is None:
            return 2
        current = load_settings(db)
        save_settings(db, replace(current, **changes), actor="cli:sms", now=system_clock())
        updated = load_settings(db)
    for setting in _OPTIONS.values():
        print(f"{setting} = {getattr(updated, setting)}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from dnw_desk.services.sms import failing_messages
    from dnw_desk.store import sms_outbox

    with _database(args) as db:
        if db is None:
            return 2
        with db.read() as conn:
            counts = sms_outbox.counts(conn)
        failing = failing_messages(db)
    print(" ".join(f"{status}={count}" for status, count in sorted(counts.items())) or "empty")
    for item in failing:
        final = " (gave up)" if item.gave_up else ""
        print(f"{item.case_number}\t{item.kind}\t{item.attempts}\t{item.reason}{final}")
    return 1 if any(item.gave_up for item in failing) else 0
