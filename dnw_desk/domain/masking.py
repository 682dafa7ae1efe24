"""Masking of personal data for lists, receipts, exports and reports (docs/rules.md#privacy).

Only personal data is masked: a person's name, ID number and phone. Enterprise names and credit
codes identify organisations and stay visible. ``contains_unmasked_pii`` lets tests across the
project assert that nothing personal leaks into printed or published text.
"""

from __future__ import annotations

import re
import unicodedata

MASK = "*"

# Characters that separate the parts of a name (买买提·艾力, John Smith); they stay visible so
# the masked form keeps the shape a clerk recognises, and reveal nothing personal.
_NAME_SEPARATORS = frozenset("·•・･‧.．- \u3000")


def mask_person_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***, 买买提·艾力 → 买**·**; a one-character name → *."""
    characters = list(unicodedata.normalize("NFC", name.strip()))
    if len(characters) <= 1:
        return MASK * len(characters)
    # Lists index code points, so 𠮷 (outside the BMP) is one character, not two halves.
    return characters[0] + "".join(c if c in _NAME_SEPARATORS else MASK for c in characters[1:])


def mask_enterprise_name(name: str) -> str:
    """Enterprise names are not personal data (PIPL protects natural persons)."""
    return name


def mask_complainant_name(kind: str, name: str) -> str:
    """A complainant's name as lists and papers show it: a person's masked, an enterprise's
    in full (``kind`` is the stored complainant kind, "person" or "enterprise")."""
    return mask_enterprise_name(name) if kind == "enterprise" else mask_person_name(name)


def mask_id_number(number: str) -> str:
    """110***********1234: the first three and last four characters stay visible."""
    value = number.strip()
    if len(value) < 8:  # too short to show anything without revealing most of it
        return MASK * len(value)
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def mask_phone(number: str) -> str:
    """+8613812345678 → 138****5678; a landline keeps its area code: 0551-****4567.

    Accepts E.164 (what the store keeps) or a number as typed. At least four digits are always
    hidden, like the mobile pattern.
    """
    digits = "".join(c for c in number if c.isdigit())
    if not digits:
        return ""
    if number.strip().startswith("+86"):
        national = digits[2:]
    elif number.strip().startswith("+"):
        return _mask_foreign(number.strip())
    else:
        national = digits.removeprefix("0086") if digits.startswith("0086") else digits
    if len(national) == 11 and national[0] == "1":
        return national[:3] + MASK * 4 + national[7:]
    return _mask_landline(national)


def _mask_landline(national: str) -> str:
    national = national.removeprefix("0")
    area_length = _area_code_length(national)
    area, local = national[:area_length], national[area_length:]
    masked_local = _mask_tail(local)
    return f"0{area}-{masked_local}" if area else masked_local


def _area_code_length(national: str) -> int:
    # China's area codes: 10 and 2x are two digits, every other one three (0551, 0532 …).
    if len(national) < 9:
        return 0
    return 2 if national[0] in "12" else 3


def _mask_foreign(number: str) -> str:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return _mask_tail("".join(c for c in number if c.isdigit()))
    return f"+{parsed.country_code} {_mask_tail(str(parsed.national_number))}"


def _mask_tail(digits: str) -> str:
    """Hide at least four digits (all of a short number), show at most the last four."""
    hidden = max(4, len(digits) - 4)
    if hidden >= len(digits):
        return MASK * len(digits)
    return MASK * hidden + digits[hidden:]


# -- Leak scanner ---------------------------------------------------------------------------

# Full-width forms (１３９, （０５５１）, ＠) read as their ASCII twins, one character for one, so
# a match's position in the folded text is its position in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"
_SEP = r"[ \-]?"
# Case, event and op ids: a group of twelve digits in one is not a landline. Blanked out to the
# same length, so positions in the folded text stay those of the original.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# An 18-character ID number, however it is grouped (6-8-4, 4-4-4-4-2, …); its birth date is
# checked after the match.
_ID18 = re.compile(
    _NOT_ALNUM_BEFORE + r"\d(?:" + _SEP + r"\d){16}" + _SEP + r"[\dXx]" + _NOT_ALNUM_AFTER
)
_BIRTH_DATE = re.compile(r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_PII_PATTERNS = (
    # 15-digit first-generation ID numbers (YYMMDD birth date).
    re.compile(
        _NOT_ALNUM_BEFORE
        + r"\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
        + _NOT_ALNUM_AFTER
    ),
    # Mainland mobiles, optionally with +86/0086, in any grouping (3-4-4, 4-3-4, …).
    re.compile(r"(?<![\d+])(?:(?:\+|00)86" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}(?!\d)"),
    # Any E.164 number: landlines are stored in this form.
    re.compile(r"(?<![\d+])\+[1-9]\d{6,14}(?!\d)"),
    # Mainland landlines with their area code: 010-12345678, 0551 6123 4567, (0551) 6234 5678.
    re.compile(
        r"(?<![0-9A-Za-z])\(?0(?:10|2\d|[3-9]\d{2})\)?" + _SEP + r"\d{3,4}" + _SEP + r"\d{4}(?!\d)"
    ),
    # E-mail addresses.
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
)


def contains_unmasked_pii(text: str) -> list[str]:
    """Every unmasked ID number, phone number or e-mail address found in ``text``, as written
    there (empty when clean). Names and addresses cannot be recognised in free text: that is
    why public surfaces publish no free text at all."""
    folded = _UUID.sub(lambda match: "u" * len(match.group()), text.translate(_FOLD))
    found: list[str] = []
    taken: list[range] = []

    def keep(start: int, stop: int) -> None:
        if any(start < other.stop and other.start < stop for other in taken):
            return  # already reported by an earlier, more specific pattern
        taken.append(range(start, stop))
        found.append(text[start:stop])

    for match in _ID18.finditer(folded):
        digits = re.sub(r"[ \-]", "", match.group())
        if _BIRTH_DATE.fullmatch(digits[6:14]):
            keep(match.start(), match.end())
    for pattern in _PII_PATTERNS:
        for match in pattern.finditer(folded):
            keep(match.start(), match.end())
    return found
