"""``dnw-desk receipt --sample``: render a realistic sample receipt (or slip) to files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dnw_desk.i18n import _

WIDTH_PROFILES = {"80": "80mm", "58": "58mm"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "receipt",
        help=_("render a sample receipt to PNG / ESC/POS / PDF files"),
        description="Render a realistic sample receipt (with a rare-character name) to files.",
    )
    parser.add_argument("--sample", action="store_true", required=True, help="use sample data")
    parser.add_argument("--kind", choices=("receipt", "reprint", "slip"), default="receipt")
    parser.add_argument("--width", choices=sorted(WIDTH_PROFILES), default="80", help="paper mm")
    parser.add_argument("--profile", help="printer profile (80mm, 58mm, tm-t88); overrides --width")
    parser.add_argument("--mode", choices=("raster", "text"), default="raster")
    parser.add_argument("--language", choices=("zh_CN", "en"), default="zh_CN")
    parser.add_argument("--png", type=Path, help="write the raster image here")
    parser.add_argument("--escpos", type=Path, help="write the ESC/POS bytes here")
    parser.add_argument("--pdf", type=Path, help="write a PDF here")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # python-escpos loads its printer capabilities at import (~0.3 s): only when rendering.
    from dnw_desk.printing.escpos_out import profile_named
    from dnw_desk.printing.jobs import (
        OutputMode,
        ensure_qt,
        escpos_bytes,
        glyph_warning,
        layout_for,
        write_pdf,
        write_png,
    )
    from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData
    from dnw_desk.printing.sample import sample_receipt, sample_slip

    try:
        profile = profile_named(args.profile or WIDTH_PROFILES[args.width])
    except ValueError as exc:
        print(f"dnw-desk receipt: {exc}", file=sys.stderr)
        return 2
    if not (args.png or args.escpos or args.pdf):
        print("dnw-desk receipt: give at least one of --png, --escpos, --pdf", file=sys.stderr)
        return 2
    from dnw_desk.commands.outputs import missing_folder

    for out in (args.png, args.escpos, args.pdf):
        problem = missing_folder(out) if out else None
        if problem:
            print(f"dnw-desk receipt: {problem}", file=sys.stderr)
            return 2
    data: ReceiptData | NotAcceptedSlipData
    if args.kind == "slip":
        data = sample_slip(language=args.language)
    else:
        data = sample_receipt(
            copy_number=2 if args.kind == "reprint" else 1, language=args.language
        )
    ensure_qt()
    layout = layout_for(data)
    warning = glyph_warning(layout)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        if args.png:
            write_png(layout, args.png, profile.width_dots)
            print(f"PNG: {args.png}")
        if args.escpos:
            args.escpos.write_bytes(escpos_bytes(layout, profile, OutputMode(args.mode)))
            print(f"ESC/POS ({args.mode}, {profile.name}): {args.escpos}")
        if args.pdf:
            write_pdf(layout, args.pdf, profile.width_dots)
            print(f"PDF: {args.pdf}")
    except OSError as exc:
        print(f"dnw-desk receipt: {exc}", file=sys.stderr)
        return 1
    return 0
