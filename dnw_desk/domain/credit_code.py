"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of enterprises and organisations.

18 characters from 31 symbols (digits and capitals without I, O, S, V, Z): registration authority,
kind of organisation, 6-digit region code, 9-character organisation code, MOD 31 check character.
"""

from __future__ import annotations

from dnw_desk.domain.checks import Check, Issue, compact, printable
from dnw_desk.i18n import _

LENGTH = 18
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# 1–9 are the registration authorities of the standard; A (central military commission),
# N (agriculture) and Y (others) were added since. python-stdnum still rejects A/N/Y.
AUTHORITY_CODES = frozenset("123456789ANY")
# Characters 2–8: kind of organisation and the region code, always digits.
_DIGITS_ONLY = range(1, 8)
_NEVER_USED = frozenset("IOSVZ")
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {character: value for value, character in enumerate(ALPHABET)}


def check_character(first_17: str) -> str:
    """The MOD 31 check character for the first 17 characters."""
    total = sum(_VALUE[c] * w for c, w in zip(first_17, _WEIGHTS, strict=True))
    return ALPHABET[-total % 31]


def validate_credit_code(text: str) -> Check:
    code = compact(text)
    error = _error(code)
    return Check(code, error)


def _error(code: str) -> Issue | None:
    if not code:
        return Issue("uscc.empty", _("Enter the unified social credit code."))
    for position, character in enumerate(code, start=1):
        if character in _NEVER_USED:
            return Issue(
                "uscc.letter_not_used",
                _(
                    "Letter “{character}” at position {position} is never used in a credit code "
                    "(I, O, S, V and Z are left out); check this character."
                ).format(character=character, position=position),
            )
        if character not in _VALUE:
            return Issue(
                "uscc.character",
                _(
                    "Character “{character}” at position {position} is not allowed in a credit "
                    "code; it has only digits and capital letters."
                ).format(character=printable(character), position=position),
            )
    if len(code) != LENGTH:
        if len(code) == 15 and code.isdigit():
            return Issue(
                "uscc.old_registration_number",
                _(
                    "This looks like a 15-digit business registration number from before 2015; "
                    "please give the 18-character unified social credit code."
                ),
            )
        return Issue(
            "uscc.length",
            _("A credit code has 18 characters; this one has {count}.").format(count=len(code)),
        )
    if code[0] not in AUTHORITY_CODES:
        return Issue(
            "uscc.authority",
            _(
                "The first character “{character}” is not a registration authority code "
                "(1–9, A, N or Y)."
            ).format(character=code[0]),
        )
    for index in _DIGITS_ONLY:
        if not code[index].isdigit():
            return Issue(
                "uscc.not_digit",
                _(
                    "Character {position} of a credit code must be a digit (characters 2 to 8 are "
                    "the kind of organisation and the region code)."
                ).format(position=index + 1),
            )
    if check_character(code[:17]) != code[17]:
        return Issue(
            "uscc.check",
            _(
                "The check character does not match the other 17 characters; "
                "please check the code again."
            ),
        )
    return None
