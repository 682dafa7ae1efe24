"""The ``dnw-server`` command: init, serve, terminals add/list/revoke, units add/list/revoke,
halls set/list, users add/list/disable/reset, offices add/list/revoke, calendar
publish/list/key.

The database comes from ``DNW_DATABASE_URL`` (PostgreSQL via psycopg 3) or, by default, a SQLite
file in the server's data dir (``DNW_SERVER_DATA_DIR`` or the platform's user data dir).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from dnw_desk import __version__
from dnw_desk.server.cli_people import add_people_commands, run_offices, run_users
from dnw_desk.server.core.config import Settings
from dnw_desk.server.core.db import ServerDatabase, head_revision

Commands = argparse._SubParsersAction  # what add_subparsers returns


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dnw-server", description="Central server for the 办不成事 complaint windows."
    )
    parser.add_argument("--version", action="version", version=f"dnw-server {__version__}")
    parser.add_argument(
        "--database-url", default=None, help="overrides DNW_DATABASE_URL for this command"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "init", help="create or upgrade the server database (and the data key, if none)"
    )
    _add_privacy(commands)
    _add_serve(commands)
    _add_terminals(commands)
    _add_units(commands)
    _add_halls(commands)
    add_people_commands(commands)
    _add_calendar(commands)
    return parser


def _add_privacy(commands: Commands[argparse.ArgumentParser]) -> None:
    privacy = commands.add_parser("privacy", help="personal data past the retention period")
    privacy_commands = privacy.add_subparsers(dest="action", metavar="ACTION", required=True)
    purge = privacy_commands.add_parser(
        "purge", help="erase the personal data of cases closed more than DNW_RETENTION_DAYS ago"
    )
    purge.add_argument("--dry-run", action="store_true", help="list them, change nothing")


def _add_serve(commands: Commands[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--ssl-certfile", default=None)
    serve.add_argument("--ssl-keyfile", default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips",
        default="",
        metavar="IPS",
        help="comma-separated addresses of the reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are trusted (default: none; never trust them from clients)",
    )


def _add_terminals(commands: Commands[argparse.ArgumentParser]) -> None:
    terminals = commands.add_parser("terminals", help="desk terminals and their tokens")
    terminal_commands = terminals.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = terminal_commands.add_parser("add", help="create a terminal; prints its token once")
    add.add_argument("--hall", required=True, help="hall code, e.g. AH")
    add.add_argument("--window", required=True, help="window number, e.g. 08")
    add.add_argument("--label", default="", help="at most 64 characters")
    add.add_argument(
        "--replace",
        action="store_true",
        help="revoke the active terminal of this hall and window (one window, one terminal)",
    )
    terminal_commands.add_parser("list", help="list terminals")
    revoke = terminal_commands.add_parser("revoke", help="revoke a terminal's token")
    revoke.add_argument("id", type=int)


def _add_units(commands: Commands[argparse.ArgumentParser]) -> None:
    units = commands.add_parser("units", help="credentials for units and the platform")
    unit_commands = units.add_subparsers(dest="action", metavar="ACTION", required=True)
    unit_add = unit_commands.add_parser(
        "add", help="create (or extend) the unit and a credential for it; prints it once"
    )
    unit_add.add_argument("name", help="at most 128 characters")
    unit_add.add_argument(
        "--platform", action="store_true", help="the provincial platform: may post for any unit"
    )
    unit_add.add_argument(
        "--hall",
        action="append",
        default=[],
        metavar="CODE",
        help="a hall whose cases it may act on (repeat for several; required unless --platform)",
    )
    unit_commands.add_parser("list", help="list unit credentials")
    unit_revoke = unit_commands.add_parser("revoke", help="revoke a unit credential")
    unit_revoke.add_argument("id", type=int)


def _add_halls(commands: Commands[argparse.ArgumentParser]) -> None:
    halls = commands.add_parser("halls", help="the hall names the public status page shows")
    hall_commands = halls.add_subparsers(dest="action", metavar="ACTION", required=True)
    hall_set = hall_commands.add_parser(
        "set", help="name a hall (terminals can no longer change this name)"
    )
    hall_set.add_argument("code", help="the hall code, as on its case numbers")
    hall_set.add_argument("name", help="at most 64 characters")
    hall_commands.add_parser("list", help="list halls and who named them")


def _add_calendar(commands: Commands[argparse.ArgumentParser]) -> None:
    calendar = commands.add_parser(
        "calendar", help="the working-day override the desks install (signed)"
    )
    calendar_commands = calendar.add_subparsers(dest="action", metavar="ACTION", required=True)
    publish = calendar_commands.add_parser(
        "publish", help="validate, sign and publish an override file for every desk"
    )
    publish.add_argument("file", help="the override (TOML, see docs/calendar-override.md)")
    publish.add_argument("--by", default=None, help="who publishes it (default: the OS user)")
    calendar_commands.add_parser("list", help="list the published versions")
    calendar_commands.add_parser("key", help="print the fingerprint of the signing key")


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    return settings


def _ready_db(settings: Settings) -> ServerDatabase:
    db = ServerDatabase(settings.resolved_database_url())
    if db.current_revision() != head_revision():
        db.dispose()
        raise SystemExit("The server database is not initialised; run `dnw-server init` first.")
    return db


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = _settings(args)
    if args.command == "init":
        from dnw_desk.server.calendar_releases import ensure_signing_key
        from dnw_desk.server.sealing import ensure_key, seal_stored, sealer_for

        written = ensure_key(settings)
        signing = ensure_signing_key(settings)
        db = ServerDatabase(settings.resolved_database_url())
        try:
            db.migrate()
            print(f"Server database ready at schema {db.current_revision()}.")
            sealed = seal_stored(db, sealer_for(settings))
        finally:
            db.dispose()
        if written is not None:
            print(f"Data key written to {written} (back it up: without it the personal data")
            print("on the server cannot be read).")
        if signing is not None:
            print(f"Calendar signing key written to {signing} (back it up: desks pin it).")
        if sealed:
            print(f"Encrypted the personal data of {sealed} events stored in clear before.")
        return 0
    if args.command in ("serve", "privacy"):
        from dnw_desk.server.sealing import KeyMissing, configure

        try:
            configure(settings)
        except KeyMissing as exc:
            raise SystemExit(str(exc)) from None
    if args.command == "serve":
        return _serve(args, settings)
    db = _ready_db(settings)
    try:
        if args.command == "terminals":
            return _terminals(args, db)
        if args.command == "privacy":
            return _purge(args, db, settings)
        if args.command == "halls":
            return _halls(args, db)
        if args.command == "users":
            return run_users(args, db)
        if args.command == "offices":
            return run_offices(args, db)
        if args.command == "calendar":
            return _calendar(args, db, settings)
        return _units(args, db)
    finally:
        db.dispose()


def _purge(args: argparse.Namespace, db: ServerDatabase, settings: Settings) -> int:
    from dnw_desk.server.retention import purge_server

    report = purge_server(db, settings.retention_days, datetime.now(UTC), dry_run=args.dry_run)
    for number in report.numbers:
        print(number)
    days = settings.retention_days
    if report.dry_run:
        print(
            f"{report.count} cases are due (retention {days} days); nothing was changed.",
            file=sys.stderr,
        )
    else:
        print(
            f"Erased the personal data of {report.count} cases (retention {days} days).",
            file=sys.stderr,
        )
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from dnw_desk.server.app import create_app

    _ready_db(settings).dispose()
    # uvicorn trusts forwarded headers from 127.0.0.1 (or $FORWARDED_ALLOW_IPS) unless told
    # otherwise; a client could then pick the address the rate limit counts.
    trusted: str = args.forwarded_allow_ips or ""
    if args.workers > 1:
        # Workers import the app themselves; settings travel through the environment.
        uvicorn.run(
            "dnw_desk.server.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            ssl_certfile=args.ssl_certfile,
            ssl_keyfile=args.ssl_keyfile,
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted,
        )
    else:
        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            ssl_certfile=args.ssl_certfile,
            ssl_keyfile=args.ssl_keyfile,
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted,
        )
    return 0


def _terminals(args: argparse.Namespace, db: ServerDatabase) -> int:
    from dnw_desk.domain.numbering import CaseNumberError
    from dnw_desk.server import credentials

    now = datetime.now(UTC)
    if args.action == "add":
        try:
            with db.write() as conn:
                replaced = credentials.active_terminals_at(
                    conn, *credentials.normalise_terminal_binding(args.hall, args.window)
                )
                record, token = credentials.add_terminal(
                    conn, args.hall, args.window, now, args.label, replace=args.replace
                )
        except (CaseNumberError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
            return 2
        for old in replaced:
            print(
                f"Terminal {old.id} for {old.hall}/{old.window} revoked; its token no longer works."
            )
        print(f"Terminal {record.id} for {record.hall}/{record.window} created.")
        print("Token (shown only once; give it to `dnw-desk enrol --token`):")
        print(token)
        return 0
    if args.action == "list":
        with db.read() as conn:
            for terminal in credentials.list_terminals(conn):
                state = f"revoked {_when(terminal.revoked_at)}" if terminal.revoked_at else "active"
                print(
                    f"{terminal.id}\t{terminal.hall}/{terminal.window}\t{state}\t"
                    f"created {_when(terminal.created_at)}\t{terminal.label}"
                )
        return 0
    with db.write() as conn:
        revoked = credentials.revoke_terminal(conn, args.id, now)
    if not revoked:
        print(f"No active terminal {args.id}.", file=sys.stderr)
        return 1
    print(f"Terminal {args.id} revoked; its token no longer works.")
    return 0


def _units(args: argparse.Namespace, db: ServerDatabase) -> int:
    from dnw_desk.server import credentials

    now = datetime.now(UTC)
    if args.action == "add":
        try:
            with db.write() as conn:
                record, token = credentials.add_unit(
                    conn, args.name, now, args.platform, halls=args.hall
                )
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        kind = "Platform credential" if record.platform else "Unit credential"
        served = "all halls" if record.platform else "hall(s) " + ", ".join(sorted(record.halls))
        owner = "" if record.platform else f", unit {record.unit_id}"
        print(f"{kind} {record.id} for {record.name} ({served}{owner}) created.")
        print("Token (shown only once):")
        print(token)
        return 0
    if args.action == "list":
        with db.read() as conn:
            for unit in credentials.list_units(conn):
                state = f"revoked {_when(unit.revoked_at)}" if unit.revoked_at else "active"
                kind = "platform" if unit.platform else "unit"
                halls = "*" if unit.platform else ",".join(sorted(unit.halls)) or "(no hall)"
                owner = "-" if unit.unit_id is None else f"unit {unit.unit_id}"
                print(f"{unit.id}\t{unit.name}\t{kind}\t{owner}\t{halls}\t{state}")
        return 0
    with db.write() as conn:
        revoked = credentials.revoke_unit(conn, args.id, now)
    if not revoked:
        print(f"No active unit credential {args.id}.", file=sys.stderr)
        return 1
    print(f"Unit credential {args.id} revoked.")
    return 0


def _halls(args: argparse.Namespace, db: ServerDatabase) -> int:
    from dnw_desk.domain.numbering import CaseNumberError, normalize_hall_code
    from dnw_desk.server.halls import all_halls, clean_name, set_name

    if args.action == "list":
        with db.read() as conn:
            for code, name, named_by in all_halls(conn):
                print(f"{code}\t{name}\tnamed by {named_by}")
        return 0
    try:
        code = normalize_hall_code(args.code)
        name = clean_name(args.name)
    except (CaseNumberError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    with db.write() as conn:
        set_name(conn, code, name, "admin", datetime.now(UTC))
    print(f"Hall {code} is now shown as “{name}”.")
    return 0


def _calendar(args: argparse.Namespace, db: ServerDatabase, settings: Settings) -> int:
    from dnw_desk.server import calendar_releases as releases

    try:
        if args.action == "key":
            key = releases.public_key(settings)
            print(f"Calendar signing key {key.fingerprint} (public key {key.public_key})")
            return 0
        if args.action == "list":
            with db.read() as conn:
                for row in releases.list_releases(conn):
                    print(
                        f"{row['seq']}\t{row['version']}\t{_when(row['published_at'])}\t"  # type: ignore[arg-type]
                        f"{row['published_by']}\tsha256 {row['sha256']}\t"
                        f"key {str(row['key_fingerprint'])[:16]}"
                    )
            return 0
        return _publish_calendar(args, db, settings)
    except releases.SigningKeyError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _publish_calendar(args: argparse.Namespace, db: ServerDatabase, settings: Settings) -> int:
    import getpass
    from pathlib import Path

    from dnw_desk.contract.wire import MAX_CALENDAR_BYTES as MAX_OVERRIDE_BYTES
    from dnw_desk.domain.calendar_override import OverrideError
    from dnw_desk.server.calendar_releases import publish

    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_OVERRIDE_BYTES + 1)
        if len(data) > MAX_OVERRIDE_BYTES:
            raise ValueError(f"{path} is larger than {MAX_OVERRIDE_BYTES // 1024} KB.")
        text = data.decode("utf-8")
        with db.write() as conn:
            published = publish(
                conn, settings, text, by=args.by or getpass.getuser(), now=datetime.now(UTC)
            )
    except OverrideError as exc:
        print(f"Refused: {exc.describe()}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 2
    years = ", ".join(str(y) for y in sorted(published.override.complete_years)) or "-"
    print(
        f"Published calendar release {published.seq} ({published.override.version}; complete "
        f"years: {years}), signed with key {published.fingerprint[:16]}. Desks install it at "
        "their next sync."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
