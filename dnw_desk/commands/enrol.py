"""``dnw-desk enrol --server URL --token TOKEN``: bind this desk to a central server."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from dnw_desk.contract.wire import TerminalInfo

TOKEN_ENV = "DNW_ENROL_TOKEN"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "enrol",
        help=_("connect this desk to the central server with a terminal token"),
        description=_(
            "Connect this desk to the central server. The token comes from "
            "`dnw-server terminals add` and is stored in the OS keyring, or in a file only "
            "you can read."
        ),
    )
    parser.add_argument("--server", required=True, help=_("server address, e.g. https://host"))
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--token", help=_("the terminal token"))
    source.add_argument(
        "--token-file", type=Path, help=_("read the token from this file (keeps it out of ps)")
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dnw_desk.commands.outputs import TOKEN_FILE_LIMIT, read_small_text
    from dnw_desk.services.settings import load_settings
    from dnw_desk.store.database import StoreError
    from dnw_desk.store.schema import open_database
    from dnw_desk.sync.enrolment import EnrolmentError, enrol

    token = args.token
    if args.token_file is not None:
        try:
            token = read_small_text(args.token_file, TOKEN_FILE_LIMIT).strip()
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    token = token or os.environ.get(TOKEN_ENV, "")
    if not token:
        print(_("Give the token with --token, --token-file or ${env}.").format(env=TOKEN_ENV))
        return 2
    try:
        db = open_database(args.data_dir)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        settings = load_settings(db)
        info, location = enrol(
            db,
            args.data_dir,
            args.server,
            token,
            hall=settings.hall_code,
            window=settings.window_no,
        )
    except EnrolmentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        db.close()
    print(enrolled_message(info, location))
    return 0


def enrolled_message(info: TerminalInfo, location: str) -> str:
    where = _("the OS keyring") if location == "keyring" else _("a file only you can read")
    return _(
        "Enrolled as terminal {id} (hall {hall}, window {window}); credential kept in {where}."
    ).format(id=info.terminal_id, hall=info.hall, window=info.window, where=where)
