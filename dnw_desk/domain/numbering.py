"""Receipt numbers (docs/rules.md#numbering) and the verification codes printed next to them.

A number reads ``AH08-20261124-0007K``: hall code, window (at least two digits), date, the
window's daily serial and a check letter. The serial itself is allocated by the store.

The check letter is a weighted sum modulo 23 over the body (digits 0–9, letters 10–35, weights
powers of 5, a primitive root of 23) written with the 23 capitals that are not I, O or Q, so it
cannot be misread as a digit. Because 23 exceeds 9, every single-digit typo and every swap of two
adjacent (or one-apart) different digits in the window, date and serial changes the letter. In the
hall code, characters whose values are 23 apart (A/X, B/Y, C/Z, 0/N … 5/S) collide — unavoidable
when 36 symbols map onto 23 letters, and tolerable: the hall code is bound to the terminal and a
lookup also needs the verification code.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

from dnw_desk.domain.checks import compact, groups
from dnw_desk.domain.errors import DomainError
from dnw_desk.i18n import _

CHECK_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ"
_MODULUS = len(CHECK_ALPHABET)  # 23, a prime
_RADIX = 5
MAX_SERIAL = 9999
HALL_CODE_LENGTHS = range(2, 7)
MAX_WINDOW = 999
# Receipts exist only for these years; another year in a typed number is a typo, said plainly.
MIN_YEAR, MAX_YEAR = 2000, 2099

# No 0/O, 1/I/L: the code is read off paper and typed in by citizens. 31 symbols, so six
# characters carry about 30 bits; the server rate-limits lookups.
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_LENGTH = 6

# The hall code must end with a letter so the window digits that follow it are unambiguous.
_HALL_CODE = re.compile(r"[A-Z0-9]{1,5}[A-Z]")
_COMPACT_NUMBER = re.compile(r"(?P<hall>[A-Z0-9]*[A-Z])(?P<digits>\d+)(?P<check>[A-Z])")


class CaseNumberError(DomainError):
    """A receipt number that is malformed or whose check letter does not match."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True, order=True)
class CaseNumber:
    hall: str
    window: int
    day: date
    serial: int

    @property
    def check(self) -> str:
        return check_letter(self.body)

    @property
    def body(self) -> str:
        """What the check letter covers. The window is padded to three digits here (two on
        paper) so that a typo turning window 105 into 005 is a substitution, not a deletion."""
        return f"{self.hall}{self.window:03d}{_date_digits(self.day)}{self.serial:04d}"

    def __str__(self) -> str:
        day = _date_digits(self.day)
        return f"{self.hall}{self.window:02d}-{day}-{self.serial:04d}{self.check}"


def _date_digits(day: date) -> str:
    # Not strftime: glibc's %Y drops the leading zeros of years before 1000.
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def check_letter(body: str) -> str:
    """The check letter for a body of capitals and digits (no separators)."""
    total = 0
    for character in body:
        total = (total + int(character, 36)) * _RADIX % _MODULUS
    return CHECK_ALPHABET[-total % _MODULUS]


def normalize_hall_code(text: str) -> str:
    hall = compact(text)
    if len(hall) not in HALL_CODE_LENGTHS or not _HALL_CODE.fullmatch(hall):
        raise CaseNumberError(
            "case_number.hall",
            _(
                "A hall code has 2 to 6 capital letters or digits and ends with a letter; "
                "“{hall}” does not."
            ).format(hall=text.strip()),
        )
    return hall


def normalize_window(window: int | str) -> int:
    try:
        number = int(compact(window) if isinstance(window, str) else window)
    except ValueError:
        number = -1
    if not 1 <= number <= MAX_WINDOW:
        raise CaseNumberError(
            "case_number.window",
            _("A window number is a number from 1 to {limit}.").format(limit=MAX_WINDOW),
        )
    return number


def example_case_number(hall: str, window: str, day: date) -> str | None:
    """This window's first number of ``day``, to show what its numbers will look like; None
    while the hall code or window number is not valid."""
    try:
        return format_case_number(normalize_hall_code(hall), normalize_window(window), day, 1)
    except CaseNumberError:
        return None


def format_case_number(hall: str, window: int | str, day: date, serial: int) -> str:
    if not 1 <= serial <= MAX_SERIAL:
        raise CaseNumberError(
            "case_number.serial_range",
            _("The daily serial must be between 1 and {limit}.").format(limit=MAX_SERIAL),
        )
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CaseNumberError(
            "case_number.year",
            _("Case numbers can only be dated {first}–{last}.").format(
                first=MIN_YEAR, last=MAX_YEAR
            ),
        )
    return str(CaseNumber(normalize_hall_code(hall), normalize_window(window), day, serial))


def parse_case_number(text: str) -> CaseNumber:
    """Read a number as typed (any case, full-width, spaces or dashes anywhere)."""
    number = compact(text)
    _check_characters(number)
    _check_groups(groups(text))
    match = _match_compact(number)
    digits = match["digits"]
    window, serial = int(digits[:-12]), int(digits[-4:])
    day = _day_of(digits[-12:-4])
    if window == 0 or serial == 0:
        raise CaseNumberError(
            "case_number.zero",
            _("Window and serial numbers start at 1; this case number has a zero."),
        )
    if match["check"] not in CHECK_ALPHABET:
        raise CaseNumberError(
            "case_number.check_letter",
            _("“{character}” is never used as a check letter (I, O and Q are left out).").format(
                character=match["check"]
            ),
        )
    parsed = CaseNumber(match["hall"], window, day, serial)
    if parsed.check != match["check"]:
        raise CaseNumberError(
            "case_number.check",
            _("The check letter does not match; the case number was probably mistyped."),
        )
    return parsed


def _check_characters(number: str) -> None:
    if not number:
        raise CaseNumberError("case_number.empty", _("Enter a case number."))
    for position, character in enumerate(number, start=1):
        if not (character.isascii() and character.isalnum()):
            raise CaseNumberError(
                "case_number.character",
                _(
                    "Character “{character}” at position {position} cannot be part of a case "
                    "number."
                ).format(character=character, position=position),
            )


def _match_compact(number: str) -> re.Match[str]:
    """The compact number split into hall, digits and check letter, with as many digits as a
    window, a date and a serial take."""
    if number[-1].isdigit():
        raise CaseNumberError(
            "case_number.no_check",
            _(
                "The case number ends with a check letter, as in AH08-20261124-0007K; "
                "it is missing."
            ),
        )
    match = _COMPACT_NUMBER.fullmatch(number)
    if match is None or len(match["hall"]) not in HALL_CODE_LENGTHS:
        raise CaseNumberError(
            "case_number.shape",
            _("A case number looks like AH08-20261124-0007K: hall and window, date, serial."),
        )
    digits = match["digits"]
    # Window (1–3 digits), date (8) and serial (4) follow the hall code without a gap.
    if not 13 <= len(digits) <= 15:
        raise CaseNumberError(
            "case_number.digits",
            _(
                "After the hall code a case number has the window (1–3 digits), the date "
                "(8 digits) and the serial (4 digits); “{digits}” does not fit."
            ).format(digits=digits),
        )
    return match


def _day_of(day_digits: str) -> date:
    try:
        day = date(int(day_digits[:4]), int(day_digits[4:6]), int(day_digits[6:]))
    except ValueError:
        raise CaseNumberError(
            "case_number.date",
            _("The date in the case number ({digits}) is not a real date.").format(
                digits=day_digits
            ),
        ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CaseNumberError(
            "case_number.year",
            _("The date in the case number ({digits}) is not in {first}–{last}.").format(
                digits=day_digits, first=MIN_YEAR, last=MAX_YEAR
            ),
        )
    return day


def _check_groups(parts: list[str]) -> None:
    # Typed with its two dashes, the number tells which part is wrong: say so precisely rather
    # than letting the compact parse misread a short date as part of the window.
    if len(parts) != 3:
        return
    if not re.fullmatch(r"\d{8}", parts[1]):
        raise CaseNumberError(
            "case_number.date_length",
            _("The date in a case number has 8 digits (YYYYMMDD); “{part}” does not.").format(
                part=parts[1]
            ),
        )
    if not re.fullmatch(r"\d{4}[A-Z]?", parts[2]):
        raise CaseNumberError(
            "case_number.serial_length",
            _(
                "The last part of a case number is a 4-digit serial and a check letter; "
                "“{part}” does not fit."
            ).format(part=parts[2]),
        )


def new_verification_code(length: int = VERIFICATION_LENGTH) -> str:
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _position in range(length))


def normalize_verification_code(text: str) -> str:
    return compact(text)


def verification_codes_match(expected: str, given: str) -> bool:
    """Constant-time comparison, so response times do not leak how much of a guess was right."""
    return hmac.compare_digest(
        normalize_verification_code(expected).encode(), normalize_verification_code(given).encode()
    )
