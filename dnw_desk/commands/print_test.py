"""``dnw-desk print-test --printer URI``: print the test page and report the printer's status."""

from __future__ import annotations

import argparse
import sys

from dnw_desk.i18n import _


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "print-test",
        help=_("print a test page and report the printer's status"),
        description="Check the printer (DLE EOT, 2 s; a CUPS or Windows queue's state) and print "
        "the test page. Exits non-zero when the printer is unreachable, offline, out of paper, "
        "its cover is open, its queue is paused, rejecting or missing, or the job did not "
        "finish within its deadline.",
    )
    parser.add_argument("--printer", required=True, help="printer URI, e.g. tcp://192.168.1.50")
    parser.add_argument("--profile", default="80mm", help="80mm, 58mm or tm-t88")
    parser.add_argument("--mode", choices=("raster", "text"), default="raster")
    parser.add_argument("--status-only", action="store_true", help="only check the status")
    parser.add_argument(
        "--receipt",
        action="store_true",
        help="print the sample receipt as well, to check the layout on the real paper",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="status timeout, s (default: 2)"
    )
    parser.add_argument(
        "--deadline", type=float, default=None, help="time one job may take, s (default: 20)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dnw_desk.clock import system_clock
    from dnw_desk.printing.connection import (
        JOB_DEADLINE,
        STATUS_TIMEOUT,
        PrinterError,
        PrinterState,
        check_status,
        send_job,
    )
    from dnw_desk.printing.escpos_out import profile_named
    from dnw_desk.printing.jobs import OutputMode, ensure_qt, escpos_bytes, layout_for
    from dnw_desk.printing.model import ReceiptData, TestPageData
    from dnw_desk.printing.sample import sample_receipt
    from dnw_desk.printing.uri import PrinterUriError, Transport, parse_printer_uri

    try:
        address = parse_printer_uri(args.printer)
        profile = profile_named(args.profile)
    except (PrinterUriError, ValueError) as exc:
        print(f"dnw-desk print-test: {exc}", file=sys.stderr)
        return 2
    timeout = STATUS_TIMEOUT if args.timeout is None else args.timeout
    deadline = JOB_DEADLINE if args.deadline is None else args.deadline
    status = check_status(address, timeout)
    print(f"{address.uri}: {status.state.value} — {status.message()}")
    if not status.ready:
        return 1
    if args.status_only:
        return 0
    documents: list[tuple[str, TestPageData | ReceiptData]] = [
        ("test page", TestPageData(args.printer, profile.name, system_clock()))
    ]
    if args.receipt:
        documents.append(("sample receipt", sample_receipt()))
    ensure_qt()
    for name, data in documents:
        layout = layout_for(data)
        if address.transport is Transport.PREVIEW:
            from dnw_desk.printing.jobs import write_pdf

            suffix = "" if name == "test page" else "-receipt"
            path = args.data_dir / f"print-test{suffix}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_pdf(layout, path, profile.width_dots)
            print(f"preview printer: {name} saved to {path}")
            continue
        job = escpos_bytes(layout, profile, OutputMode(args.mode))
        try:
            after = send_job(address, job, timeout, deadline)
        except PrinterError as exc:
            print(f"dnw-desk print-test: {name}: {exc}", file=sys.stderr)
            return 1
        if after.state is PrinterState.UNKNOWN:
            print(f"{name} written; this connection cannot confirm that it printed")
        else:
            print(f"{name} printed; printer now: {after.message()}")
    return 0
