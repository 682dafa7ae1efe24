"""``dnw-desk setup``: the first-run wizard without a screen, for rolling out a hall's terminals.

Same checks, messages and stored result as the wizard (dnw_desk.services.setup); with
``--server`` and ``--token-file`` the desk is enrolled for the hall and window it is set up for,
before anything is stored, so a refused token leaves the data dir as it was.
Exit codes: 0 set up, 1 refused (already set up, locked, enrolment failed), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from dnw_desk.services.desk import Desk

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup",
        help=_("set up this desk without the first-run wizard"),
        description=_(
            "Set up this desk as the first-run wizard does: the hall and window, and the first "
            "admin account, whose password is read from standard input. Refuses a data "
            "directory that is already set up unless --force is given."
        ),
    )
    parser.add_argument("--hall", required=True, metavar="CODE", help=_("hall code, e.g. AH"))
    parser.add_argument("--window", required=True, metavar="NO", help=_("window number, e.g. 08"))
    parser.add_argument(
        "--hall-name", required=True, metavar="NAME", help=_("the hall's name for receipts")
    )
    parser.add_argument("--window-name", metavar="NAME", help=_("the window's name"))
    parser.add_argument("--admin", required=True, metavar="LOGIN", help=_("the admin's login"))
    parser.add_argument(
        "--admin-no", default="0000", metavar="NO", help=_("the admin's staff number")
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the admin's password from the first line of standard input"),
    )
    parser.add_argument("--opening-hours", metavar="HOURS", help=_("e.g. 09:00-12:00,13:30-17:30"))
    parser.add_argument("--printer", metavar="URI", help=_("receipt printer address"))
    parser.add_argument("--server", metavar="URL", help=_("enrol with this central server"))
    parser.add_argument(
        "--token-file", type=Path, metavar="FILE", help=_("the terminal token for --server")
    )
    parser.add_argument(
        "--force", action="store_true", help=_("set up again a desk that is already set up")
    )
    parser.set_defaults(handler=run)


def _fail(code: int, *messages: str) -> int:
    for message in messages:
        print(message, file=sys.stderr)
    return code


def _read_token(path: Path) -> tuple[str, str]:
    """The token, or an empty token and why it could not be read."""
    try:
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("it is not a token")
        return "", _("The token file {path} cannot be read: {reason}.").format(
            path=path, reason=reason
        )
    if not token:
        return "", _("The token file {path} is empty.").format(path=path)
    return token, ""


def run(args: argparse.Namespace) -> int:
    if not args.password_stdin:
        return _fail(
            EXIT_BAD_INPUT,
            _("Give the admin's password on standard input with --password-stdin."),
        )
    if (args.server is None) != (args.token_file is None):
        return _fail(EXIT_BAD_INPUT, _("Give --server and --token-file together."))
    token = ""
    if args.token_file is not None:
        token, problem = _read_token(args.token_file)
        if problem:
            return _fail(EXIT_BAD_INPUT, problem)
    password = sys.stdin.readline().rstrip("\r\n")

    from dnw_desk.services.desk import locked_desk
    from dnw_desk.store.database import StoreError

    try:
        with locked_desk(args.data_dir) as desk:
            return _set_up(args, desk, password, token)
    except StoreError as exc:
        return _fail(EXIT_REFUSED, str(exc))


def _set_up(args: argparse.Namespace, desk: Desk, password: str, token: str) -> int:
    from dnw_desk.services.accounts import AccountService
    from dnw_desk.services.setup import apply_setup, check_setup, is_set_up

    accounts = AccountService(desk.db, desk.clock)
    current = desk.settings
    if is_set_up(desk, accounts) and not args.force:
        return _fail(
            EXIT_REFUSED,
            _(
                "This data directory is already set up (hall {hall}, window {window}). Give "
                "--force to set it up again; its accounts and cases are kept."
            ).format(hall=current.hall_code, window=current.window_no),
        )
    result = _requested(args, current, password)
    problems = check_setup(result)
    if problems:
        return _fail(EXIT_BAD_INPUT, *problems)
    enrolled = ""
    if args.server is not None:
        from dnw_desk.commands.enrol import enrolled_message
        from dnw_desk.sync.enrolment import EnrolmentError, enrol

        try:
            info, location = enrol(
                desk.db,
                args.data_dir,
                args.server,
                token,
                hall=result.business.hall_code,
                window=result.business.window_no,
                clock=desk.clock,
            )
        except EnrolmentError as exc:
            return _fail(EXIT_REFUSED, str(exc), _("Nothing was set up."))
        enrolled = enrolled_message(info, location)
    created = apply_setup(desk, accounts, result)
    business = result.business
    print(
        _("Set up hall {hall} ({name}), window {window}.").format(
            hall=business.hall_code, name=business.hall_name, window=business.window_no
        )
    )
    print(
        _("Admin account {login} created.").format(login=result.admin.login)
        if created
        else _("The existing accounts were kept; no admin account was created.")
    )
    if enrolled:
        print(enrolled)
    else:
        _warn_about_old_enrolment(desk, business.hall_code, business.window_no)
    return 0


def _requested(args: argparse.Namespace, current: Any, password: str) -> Any:
    """The setup the command line asks for, on top of the desk's current settings."""
    from dnw_desk.domain.roles import Role
    from dnw_desk.local_settings import load_local_settings
    from dnw_desk.services.accounts import NewAccount
    from dnw_desk.services.setup import SetupResult

    local = load_local_settings(args.data_dir)
    return SetupResult(
        admin=NewAccount(args.admin.strip(), args.admin_no.strip(), Role.ADMIN, password),
        business=replace(
            current,
            hall_code=args.hall.strip().upper(),
            hall_name=args.hall_name.strip(),
            window_no=args.window.strip(),
            window_name=(args.window_name or current.window_name).strip(),
            opening_hours=args.opening_hours or current.opening_hours,
            configured=True,
        ),
        local=replace(local, printer_uri=(args.printer or local.printer_uri).strip()),
    )


def _warn_about_old_enrolment(desk: Desk, hall: str, window: str) -> None:
    """A desk set up again for another window cannot sync with its old credential: say so."""
    from dnw_desk.sync import state as sync_state
    from dnw_desk.sync.enrolment import binding_problem

    with desk.db.read() as conn:
        enrolment = sync_state.enrolment(conn)
    problem = binding_problem(enrolment, hall, window) if enrolment else None
    if problem:
        print(problem, file=sys.stderr)
