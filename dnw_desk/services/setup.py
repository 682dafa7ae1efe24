"""Setting up a desk: what the first-run wizard and ``dnw-desk setup`` both check and store.

One set of checks and messages for the wizard's pages, the settings dialog and the unattended
command, and one way of storing the result (the first admin, the business settings, the
device-local settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dnw_desk.clock import system_clock
from dnw_desk.domain.numbering import example_case_number
from dnw_desk.domain.working_time import OpeningHours, OpeningHoursError
from dnw_desk.i18n import _
from dnw_desk.local_settings import LocalSettings, save_local_settings
from dnw_desk.services.accounts import AccountService, NewAccount, check_new_account
from dnw_desk.services.desk import Desk
from dnw_desk.services.settings import BusinessSettings, save_settings

_HALL_CODE = re.compile(r"^[A-Z0-9]{1,5}[A-Z]$")
_WINDOW = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True)
class SetupResult:
    admin: NewAccount
    business: BusinessSettings
    local: LocalSettings


def check_hall(code: str, window: str) -> dict[str, str]:
    errors = {}
    if not _HALL_CODE.match(code):
        errors["hall_code"] = _(
            "The hall code is 2–6 capital letters or digits, ending with a letter."
        )
    if not _WINDOW.match(window) or int(window) == 0:
        errors["window_no"] = _("The window number is 1–999.")
    return errors


def check_hall_name(name: str) -> str:
    if not name.strip():
        return _("Enter the hall's name; it is printed on every receipt.")
    return ""


def check_hours(text: str) -> str:
    try:
        OpeningHours.parse(text)
    except OpeningHoursError as exc:
        return str(exc)
    except ValueError:
        return _("Write opening hours like 09:00-12:00,13:30-17:30.")
    return ""


def check_printer_uri(uri: str) -> str:
    from dnw_desk.printing.uri import PrinterUriError, parse_printer_uri

    if uri.strip() == "dummy":
        return ""
    try:
        parse_printer_uri(uri)
    except PrinterUriError as exc:
        return str(exc)
    return ""


def check_setup(result: SetupResult) -> list[str]:
    """Every message the wizard's pages would show for these answers, in page order."""
    business = result.business
    problems = list(check_new_account(result.admin).values())
    problems += check_hall(business.hall_code, business.window_no).values()
    problems += [
        problem
        for problem in (
            check_hall_name(business.hall_name),
            check_hours(business.opening_hours),
            "" if business.units else _("The unit list is empty."),
            check_printer_uri(result.local.printer_uri),
        )
        if problem
    ]
    return problems


def is_set_up(desk: Desk, accounts: AccountService) -> bool:
    """Configured, with at least one account: the first-run wizard is not needed."""
    return desk.settings.configured and accounts.has_accounts()


def apply_setup(desk: Desk, accounts: AccountService, result: SetupResult) -> bool:
    """Store the wizard's answers; True when the admin account was created (a desk that
    already has accounts keeps them). Settings are audited as changed by ``setup:LOGIN``."""
    created = not accounts.has_accounts()
    if created:
        accounts.create(result.admin, by=None)
    business = replace(
        result.business,
        opening_hours=str(OpeningHours.parse(result.business.opening_hours)),
        configured=True,
    )
    save_settings(desk.db, business, actor=f"setup:{result.admin.login}", now=desk.clock())
    desk.reload()
    save_local_settings(desk.data_dir, result.local)
    return created


def number_example_text(hall_code: str, window_no: str) -> str:
    """What this hall and window's case numbers will look like (shown as they are typed)."""
    example = example_case_number(hall_code, window_no, system_clock().date())
    if example is None:
        return _("Hall code and window number make up every case number.")
    return _("This window's case numbers will read like {number}.").format(number=example)
