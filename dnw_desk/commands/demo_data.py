"""``dnw-desk demo-data``: fill a data dir with realistic cases."""

from __future__ import annotations

import argparse
import sys
import time

from dnw_desk.i18n import _


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo-data",
        help=_("fill the data dir with realistic demo cases"),
        description="Adds N realistic cases spread over the last D days (for demos, "
        "screenshots and benchmarks). Existing cases are kept.",
    )
    parser.add_argument("--cases", type=int, required=True, metavar="N")
    parser.add_argument("--days", type=int, default=30, metavar="D")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dnw_desk.services.demo_data import generate
    from dnw_desk.services.desk import locked_desk
    from dnw_desk.store.database import StoreError

    if args.cases < 1 or args.days < 1:
        print("demo-data: --cases and --days must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    # Redrawn in place on a terminal; piped or captured it would be one long line.
    drawing = sys.stderr.isatty()

    def progress(done: int) -> None:
        if drawing:
            print(f"\r{done}/{args.cases} cases", end="", file=sys.stderr, flush=True)

    try:
        with locked_desk(args.data_dir) as desk:
            summary = generate(desk, args.cases, args.days, args.seed, progress=progress)
    except StoreError as exc:
        if drawing:
            print(file=sys.stderr)  # end the progress line
        print(f"demo-data: {exc}", file=sys.stderr)
        return 1
    if drawing:
        print(file=sys.stderr)
    print(
        f"added {summary.cases} cases with {summary.events} events "
        f"({summary.first_day} to {summary.last_day}) in {time.perf_counter() - started:.1f} s "
        f"to {args.data_dir}"
    )
    return 0
