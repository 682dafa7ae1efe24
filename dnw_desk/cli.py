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
from dnw_desk.paths import DATA_DIR_ENV, default_data_dir

# Order is the order shown in --help.
COMMAND_MODULES = (
    "validate",
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
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dnw-desk",
        description="办不成事反映窗口 desk terminal. Without a command, starts the desk.",
    )
    parser.add_argument("--version", action="version", version=f"dnw-desk {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"data directory (default: ${DATA_DIR_ENV} or {default_data_dir()})",
    )
    parser.add_argument("--self-test", action="store_true", help="check this installation and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"dnw_desk.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dnw_desk.commands.{name}":
                raise
            continue  # a command not built yet
        module.register(subparsers)
    return parser


def resolve_data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
