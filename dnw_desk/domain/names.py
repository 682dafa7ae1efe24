"""Names of people and enterprises, kept exactly as written.

Any script is welcome, including characters outside the BMP (𠮷) and the middle dot of
transliterated names (买买提·艾力). Only surrounding whitespace is removed; nothing is escaped or
rewritten, because the store binds parameters and the screens render plain text. Lengths count
code points, so a rare character counts as one.
"""

from __future__ import annotations

import unicodedata

from dnw_desk.domain.checks import Check, Issue
from dnw_desk.i18n import _

PERSON_NAME_MAX = 30
ENTERPRISE_NAME_MAX = 100

# Joiners shape Persian, Indic and emoji text; every other format character (bidi overrides,
# zero-width spaces, BOM) only hides what a name really says.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})


def validate_person_name(text: str) -> Check:
    return _validate(text, PERSON_NAME_MAX, "name")


def validate_enterprise_name(text: str) -> Check:
    return _validate(text, ENTERPRISE_NAME_MAX, "enterprise_name")


def validate_name(text: str, *, enterprise: bool = False) -> Check:
    return validate_enterprise_name(text) if enterprise else validate_person_name(text)


def _validate(text: str, limit: int, code: str) -> Check:
    name = text.strip()
    if not name:
        return Check(name, Issue(f"{code}.empty", _("Enter a name.")))
    for position, character in enumerate(name, start=1):
        category = unicodedata.category(character)
        if category in {"Cc", "Cs", "Zl", "Zp"}:
            return Check(
                name,
                Issue(
                    f"{code}.control",
                    _("The name contains a control character at position {position}.").format(
                        position=position
                    ),
                ),
            )
        if category == "Cf" and character not in _ALLOWED_FORMAT:
            return Check(
                name,
                Issue(
                    f"{code}.invisible",
                    _(
                        "The name contains an invisible formatting character (U+{codepoint}) "
                        "at position {position}."
                    ).format(codepoint=f"{ord(character):04X}", position=position),
                ),
            )
    if len(name) > limit:
        return Check(
            name,
            Issue(
                f"{code}.too_long",
                _("A name may have at most {limit} characters; this one has {count}.").format(
                    limit=limit, count=len(name)
                ),
            ),
        )
    if not any(_is_name_character(c) for c in name):
        return Check(
            name,
            Issue(f"{code}.no_letters", _("A name needs at least one letter or character.")),
        )
    return Check(name)


def _is_name_character(character: str) -> bool:
    # Unassigned and private-use code points count: a CJK extension newer than this Python's
    # Unicode tables, or a rare character from a vendor's private-use font, is still a name.
    category = unicodedata.category(character)
    return category[0] in {"L", "N"} or category in {"Cn", "Co"}
