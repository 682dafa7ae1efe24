"""The ``dnw-desk`` command: the desk GUI by default, admin and diagnostic subcommands.

Each subcommand lives in ``dnw_desk.commands.<name>`` and exposes ``register(subparsers)``; the
handler it sets receives the parsed arguments and returns the exit code. Heavy imports (Qt,
reportlab, the server) stay inside the handlers so ``dnw-desk validate`` starts quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from dnw_desk import __version__
from dnw_desk.i18n import _
from dnw_desk.paths import DATA_DIR_ENV, default_data_dir

# Order is the order shown in --help.
COMMAND_MODULES = (
    "setup",
    "validate",
    "case",
    "demo_data",
    "audit",
    "db",
    "calendar",
    "receipt",
    "print_test",
    "report",
    "export",
    "enrol",
    "sync",
    "privacy",
    "sms",
)


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; ``with_commands=False``: the global options only (no ``-h``)."""
    parser = argparse.ArgumentParser(
        prog="dnw-desk",
        description=_("The complaint window's desk terminal. Without a command, starts the desk."),
        add_help=with_commands,
    )
    parser.add_argument("--version", action="version", version=f"dnw-desk {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=(
            _("data directory (default: ${env} or {path})").format(
                env=DATA_DIR_ENV, path=default_data_dir()
            )
            if with_commands
            else None
        ),
    )
    parser.add_argument(
        "--self-test", action="store_true", help=_("check this installation and exit")
    )
    if not with_commands:
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"dnw_desk.commands.{name}").register(subparsers)
    return parser


def resolve_data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Starting the desk (no command) is the common case and is timed
    # (docs/architecture.md#performance-budgets): it needs only the global options, not every
    # command module and its argparse set-up. Anything left over (a command, -h) is parsed by
    # the whole parser.
    args, rest = build_parser(with_commands=False).parse_known_args(argv)
    if rest:
        args = build_parser().parse_args(argv)
    args.data_dir = resolve_data_dir(args)
    if args.self_test:
        from dnw_desk.selftest import run_self_test

        return int(run_self_test())
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        from dnw_desk.app import run_desk

        return run_desk(args.data_dir)
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
