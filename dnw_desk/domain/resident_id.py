"""Citizen ID numbers (公民身份号码, GB 11643-1999) and the documents that share their format.

Besides the resident ID card the same 18-character number is printed on residence permits for
Hong Kong, Macao and Taiwan residents (address code 810000 / 820000 / 830000) and, since 2023, on
foreigners' permanent residence ID cards (first digit 9, then the province that issued it, a
nationality code, birth date, sequence and check character). All use the ISO 7064 MOD 11-2 check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dnw_desk.domain.checks import Check, Issue, compact, printable
from dnw_desk.i18n import N_, _

LENGTH = 18
FIRST_GENERATION_LENGTH = 15
MAX_AGE_YEARS = 120

# Province-level codes of GB/T 2260 (71 is Taiwan province). The residence-permit codes 81, 82
# and 83 are handled separately because their whole address code is fixed.
PROVINCE_CODES = frozenset(
    {
        *("11", "12", "13", "14", "15"),  # north
        *("21", "22", "23"),  # north-east
        *("31", "32", "33", "34", "35", "36", "37"),  # east
        *("41", "42", "43", "44", "45", "46"),  # centre and south
        *("50", "51", "52", "53", "54"),  # south-west
        *("61", "62", "63", "64", "65"),  # north-west
        "71",  # Taiwan
    }
)
PERMIT_CODES = frozenset({"81", "82", "83"})
FOREIGNER_PREFIX = "9"

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)


class IdKind(StrEnum):
    RESIDENT_ID = "resident_id"
    RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGNER_PERMANENT_RESIDENCE = "foreigner_permanent_residence"

    @property
    def label(self) -> str:
        return _(_KIND_LABELS[self])


_KIND_LABELS = {
    IdKind.RESIDENT_ID: N_("Resident ID card"),
    IdKind.RESIDENCE_PERMIT: N_("Residence permit for Hong Kong, Macao and Taiwan residents"),
    IdKind.FOREIGNER_PERMANENT_RESIDENCE: N_("Foreigner's permanent residence ID card"),
}


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return _(N_("Male")) if self is Sex.MALE else _(N_("Female"))


@dataclass(frozen=True, slots=True)
class ResidentIdCheck(Check):
    """A checked ID number; ``birth_date``, ``sex`` and ``kind`` are set only when valid."""

    birth_date: date | None = None
    sex: Sex | None = None
    kind: IdKind | None = None


def check_character(first_17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def validate_resident_id(text: str, *, today: date | None = None) -> ResidentIdCheck:
    """Check an 18-character ID number; ``today`` is the hall's date (tests pass their own)."""
    number = compact(text)
    if today is None:
        from dnw_desk.clock import system_clock

        today = system_clock().date()
    error = _structure_error(number)
    if error is not None:
        return ResidentIdCheck(number, error)
    kind = _kind(number)
    error = _region_error(number, kind)
    if error is not None:
        return ResidentIdCheck(number, error)
    birth_date, error = _birth_date(number[6:14], today)
    if error is not None:
        return ResidentIdCheck(number, error)
    if check_character(number[:17]) != number[17]:
        # Never say which character was expected: that would turn a typo into a "valid" number.
        return ResidentIdCheck(
            number,
            Issue(
                "id.check",
                _(
                    "The check character does not match the other 17 characters; "
                    "please check the number again."
                ),
            ),
        )
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    warnings = _region_warnings(number, kind)
    return ResidentIdCheck(number, None, warnings, birth_date, sex, kind)


def _structure_error(number: str) -> Issue | None:
    if not number:
        return Issue("id.empty", _("Enter an ID number."))
    for position, character in enumerate(number, start=1):
        if not (character.isascii() and character.isdigit()) and character != "X":
            return Issue(
                "id.character",
                _(
                    "Character “{character}” at position {position} is not allowed; "
                    "an ID number has only digits and a final X."
                ).format(character=printable(character), position=position),
            )
    if len(number) == FIRST_GENERATION_LENGTH and number.isdigit():
        return Issue(
            "id.first_generation",
            _(
                "This is a 15-digit first-generation ID number, which is no longer in use; "
                "please give the 18-digit number."
            ),
        )
    if len(number) != LENGTH:
        return Issue(
            "id.length",
            _("An ID number has 18 characters; this one has {count}.").format(count=len(number)),
        )
    x_position = number.find("X")
    if 0 <= x_position < LENGTH - 1:
        return Issue(
            "id.x_not_last",
            _(
                "X may only be the last character of an ID number; it is at position {position}."
            ).format(position=x_position + 1),
        )
    return None


def _kind(number: str) -> IdKind:
    if number.startswith(FOREIGNER_PREFIX):
        return IdKind.FOREIGNER_PERMANENT_RESIDENCE
    if number[:2] in PERMIT_CODES:
        return IdKind.RESIDENCE_PERMIT
    return IdKind.RESIDENT_ID


def _region_error(number: str, kind: IdKind) -> Issue | None:
    if kind is IdKind.FOREIGNER_PERMANENT_RESIDENCE:
        # Digits 2–3 name the mainland province where the card was applied for.
        code = number[1:3]
        if code in PROVINCE_CODES and code != "71":
            return None
        return Issue(
            "id.province",
            _(
                "“{code}” is not a province code; check the 2nd and 3rd digits of the "
                "permanent residence ID number."
            ).format(code=code),
        )
    code = number[:2]
    if code in PROVINCE_CODES or code in PERMIT_CODES:
        return None
    return Issue(
        "id.province",
        _("“{code}” is not a province code; check the first two digits of the ID number.").format(
            code=code
        ),
    )


def _region_warnings(number: str, kind: IdKind) -> tuple[Issue, ...]:
    # Without a full GB/T 2260 table (it changes every year) only flag what is never issued:
    # permits always carry 810000/820000/830000, and no prefecture is numbered 00.
    if kind is IdKind.FOREIGNER_PERMANENT_RESIDENCE:
        return ()
    region = number[:6]
    unknown = region[2:] != "0000" if kind is IdKind.RESIDENCE_PERMIT else region[2:4] == "00"
    if not unknown:
        return ()
    return (
        Issue(
            "id.region_unknown",
            _("The region code {code} is not a known region; check the first six digits.").format(
                code=region
            ),
        ),
    )


def _birth_date(digits: str, today: date) -> tuple[date | None, Issue | None]:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None, Issue(
            "id.birth_date_invalid",
            _("The birth date in the ID number ({digits}) is not a real date.").format(
                digits=digits
            ),
        )
    if born > today:
        return None, Issue(
            "id.birth_date_future",
            _("The birth date in the ID number ({date}) is in the future.").format(
                date=born.isoformat()
            ),
        )
    if born < _years_before(today, MAX_AGE_YEARS):
        return None, Issue(
            "id.birth_date_too_old",
            _("The birth date in the ID number ({date}) is more than {years} years ago.").format(
                date=born.isoformat(), years=MAX_AGE_YEARS
            ),
        )
    return born, None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)
