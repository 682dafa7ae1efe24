"""``dnw-server users …`` (portal logins) and ``dnw-server offices …`` (the efficiency
office's reports credentials)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TextIO

from dnw_desk.server.core.db import ServerDatabase

Commands = argparse._SubParsersAction  # what add_subparsers returns


def add_people_commands(commands: Commands[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="people who log in to the portal (/portal/)")
    user_commands = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help="create a login; the password comes on stdin")
    add.add_argument("login", help="at most 64 characters")
    add.add_argument("--role", required=True, choices=("unit", "office", "admin"))
    add.add_argument("--unit", type=int, metavar="ID", help="a liaison's unit (see `units list`)")
    add.add_argument("--hall", metavar="CODE", help="an office person's hall (none: province)")
    add.add_argument("--name", default="", help="the person's name as the portal shows it")
    add.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password on stdin"
    )
    user_commands.add_parser("list", help="list logins")
    disable = user_commands.add_parser("disable", help="disable a login and end its sessions")
    disable.add_argument("login")
    reset = user_commands.add_parser(
        "reset", help="set a new password (stdin); also unlocks and re-enables the login"
    )
    reset.add_argument("login")
    reset.add_argument("--password-stdin", action="store_true", required=True)

    offices = commands.add_parser("offices", help="the efficiency office's reports credentials")
    office_commands = offices.add_subparsers(dest="action", metavar="ACTION", required=True)
    office_add = office_commands.add_parser("add", help="create a credential; prints it once")
    office_add.add_argument("name")
    office_add.add_argument("--hall", metavar="CODE", help="one hall (none: province-wide)")
    office_commands.add_parser("list", help="list office credentials")
    office_revoke = office_commands.add_parser("revoke", help="revoke an office credential")
    office_revoke.add_argument("id", type=int)


def _password(stream: TextIO) -> str:
    return stream.readline().rstrip("\r\n")


def run_users(args: argparse.Namespace, db: ServerDatabase) -> int:
    from dnw_desk.server import people
    from dnw_desk.server.portal.sessions import end_sessions_of

    now = datetime.now(UTC)
    try:
        if args.action == "add":
            with db.write() as conn:
                person = people.add_person(
                    conn,
                    args.login,
                    _password(sys.stdin),
                    people.Role(args.role),
                    now,
                    name=args.name,
                    unit_id=args.unit,
                    hall=args.hall,
                )
            print(f"Login {person.login} ({_scope(person)}) created.")
            return 0
        if args.action == "reset":
            with db.write() as conn:
                done = people.reset_password(conn, args.login, _password(sys.stdin))
                end_sessions_of(conn, args.login)
            return _done(done, f"New password set for {args.login}.", args.login)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.action == "list":
        with db.read() as conn:
            for person in people.list_people(conn):
                state = "disabled" if person.disabled else "active"
                print(f"{person.id}\t{person.login}\t{person.name}\t{_scope(person)}\t{state}")
        return 0
    with db.write() as conn:
        done = people.disable_person(conn, args.login, now)
        end_sessions_of(conn, args.login)
    return _done(done, f"Login {args.login} disabled.", args.login)


def _scope(person: object) -> str:
    from dnw_desk.server.people import Person, Role

    assert isinstance(person, Person)
    if person.role is Role.UNIT and person.unit is not None:
        return f"unit liaison of {person.unit.name} (unit {person.unit.id})"
    if person.role is Role.OFFICE:
        return f"efficiency office, hall {person.hall}" if person.hall else "efficiency office"
    return "administrator"


def _done(done: bool, message: str, login: str) -> int:
    if not done:
        print(f"No active login {login}.", file=sys.stderr)
        return 1
    print(message)
    return 0


def run_offices(args: argparse.Namespace, db: ServerDatabase) -> int:
    from dnw_desk.server import credentials

    now = datetime.now(UTC)
    if args.action == "add":
        try:
            with db.write() as conn:
                record, token = credentials.add_office(conn, args.name, now, args.hall)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        scope = f"hall {record.hall}" if record.hall else "the province"
        print(f"Office credential {record.id} for {record.name} ({scope}) created.")
        print("Token (shown only once):")
        print(token)
        return 0
    if args.action == "list":
        with db.read() as conn:
            for office in credentials.list_offices(conn):
                state = "revoked" if office.revoked_at else "active"
                print(f"{office.id}\t{office.name}\t{office.hall or '*'}\t{state}")
        return 0
    with db.write() as conn:
        revoked = credentials.revoke_office(conn, args.id, now)
    if not revoked:
        print(f"No active office credential {args.id}.", file=sys.stderr)
        return 1
    print(f"Office credential {args.id} revoked.")
    return 0
