"""``dnw-desk case show NUMBER [--json]``: one case's state and whole timeline, masked, for
support staff on the phone with a window. Reads only; exit 1 for an unknown or mistyped number.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from dnw_desk.services.case_summary import CaseSummary


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("case", help=_("look at one case"))
    actions = parser.add_subparsers(dest="case_action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help=_("a case's state and whole timeline, personal data masked"),
        description=_(
            "Show a case's state and whole timeline by its receipt number, with the "
            "complainant's personal data masked as on the desk's screens."
        ),
    )
    show.add_argument(
        "number", metavar="NUMBER", help=_("receipt number, e.g. AH08-20261124-0007K")
    )
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    show.set_defaults(handler=run_show)


def run_show(args: argparse.Namespace) -> int:
    from dnw_desk.domain.errors import DomainError
    from dnw_desk.services.case_summary import case_summary
    from dnw_desk.services.desk import open_desk
    from dnw_desk.store.database import DB_FILENAME, StoreError

    if not (args.data_dir / DB_FILENAME).exists():
        print(_("There is no desk database in {path}.").format(path=args.data_dir), file=sys.stderr)
        return 1
    try:
        desk = open_desk(args.data_dir)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        summary = case_summary(desk, args.number)
    except DomainError as exc:  # a mistyped number (check letter) or an unknown one
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        desk.close()
    if args.json:
        print(json.dumps(as_json(summary), ensure_ascii=False, indent=2))
    else:
        print("\n".join(as_text(summary)))
    return 0


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "—"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")


def as_text(summary: CaseSummary) -> list[str]:
    deadline = _when(summary.deadline)
    if summary.deadline and summary.deadline_provisional:
        deadline += " " + _("(provisional)")
    facts = [
        (_("Registered at"), _when(summary.registered_at)),
        (_("Clerk no."), summary.clerk_no),
        (_("Category"), summary.category),
        (_("Service item"), summary.service_item),
        (_("Responsible unit"), summary.unit or "—"),
        (_("Status"), summary.status),
        (_("Deadline"), deadline),
        (_("Working time left"), summary.time_left),
        (_("Alert"), summary.alert or "—"),
        (_("Fed back on time"), _yes_no(summary.on_time)),
        (_("Returns by units"), str(summary.returns)),
        (_("Closed at"), _when(summary.closed_at)),
        *summary.complainant,
    ]
    from dnw_desk.printing.textwrap_cjk import display_width

    # Aligned in terminal columns: a Chinese label is twice as wide as its characters.
    width = max(display_width(label) for label, _value in facts)
    lines = [_("Case {number}").format(number=summary.number)]
    lines += [f"  {label}{' ' * (width - display_width(label))}  {value}" for label, value in facts]
    lines.append(_("Timeline"))
    for step in summary.timeline:
        details = f"  {step.details}" if step.details else ""
        lines.append(f"  {_when(step.at)}  {step.step}  {step.by}{details}")
    return lines


def as_json(summary: CaseSummary) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "number": summary.number,
        "registered_at": iso(summary.registered_at),
        "clerk_no": summary.clerk_no,
        "category": summary.category,
        "service_item": summary.service_item,
        "unit": summary.unit or None,
        "status": summary.status,
        "deadline": iso(summary.deadline),
        "deadline_provisional": summary.deadline_provisional,
        "working_time_left": summary.time_left,
        "alert": summary.alert or None,
        "on_time": summary.on_time,
        "returns": summary.returns,
        "closed_at": iso(summary.closed_at),
        "complainant": dict(summary.complainant),
        "timeline": [
            {"at": iso(step.at), "step": step.step, "by": step.by, "details": step.details}
            for step in summary.timeline
        ],
    }
