"""``dnw-desk validate id|uscc|phone VALUE [--json]``: check one value the way the desk does.

Exit status 0 when valid, 1 when not. Imports stay inside ``run`` because ``dnw-desk`` builds
every subcommand's parser at start-up.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from dnw_desk.i18n import _

if TYPE_CHECKING:
    from dnw_desk.domain.checks import Check

KINDS = ("id", "uscc", "phone")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help=_("check a resident ID number, credit code or phone number"),
        description="Check a value as the registration form does. Exit 0 if valid, 1 if not.",
    )
    parser.add_argument(
        "kind", choices=KINDS, help="id: resident ID; uscc: social credit code; phone"
    )
    parser.add_argument("value", help="the value to check (quote it if it has spaces)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    result = check(args.kind, args.value)
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        print(summary(result))
        for warning in result.warnings:
            print(warning.message)
    return 0 if result.valid else 1


def check(kind: str, value: str) -> Check:
    from dnw_desk.domain import validation

    if kind == "id":
        return validation.validate_resident_id(value)
    if kind == "uscc":
        return validation.validate_credit_code(value)
    return validation.validate_phone(value)


def summary(result: Check) -> str:
    from dnw_desk.domain.validation import PhoneCheck, ResidentIdCheck
    from dnw_desk.i18n import _

    if not result.valid:
        return result.message
    if isinstance(result, ResidentIdCheck) and result.kind and result.sex and result.birth_date:
        return _("Valid: {value} ({kind}, {sex}, born {birth_date}).").format(
            value=result.normalized,
            kind=result.kind.label,
            sex=result.sex.label,
            birth_date=result.birth_date.isoformat(),
        )
    if isinstance(result, PhoneCheck):
        return _("Valid: {value} ({display}).").format(
            value=result.normalized, display=result.display
        )
    return _("Valid: {value}.").format(value=result.normalized)


def as_json(result: Check) -> dict[str, Any]:
    from dnw_desk.domain.validation import PhoneCheck, ResidentIdCheck

    data: dict[str, Any] = {
        "valid": result.valid,
        "normalized": result.normalized,
        "message": summary(result),
        "error": result.error.code if result.error else None,
        "warnings": [warning.message for warning in result.warnings],
    }
    if isinstance(result, ResidentIdCheck):
        data["birth_date"] = result.birth_date.isoformat() if result.birth_date else None
        data["sex"] = result.sex.value if result.sex else None
        data["kind"] = result.kind.value if result.kind else None
    if isinstance(result, PhoneCheck):
        data["display"] = result.display or None
        data["line"] = result.line.value if result.line else None
    return data
