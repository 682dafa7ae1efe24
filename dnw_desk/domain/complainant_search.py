"""Finding a case by its complainant without keeping a searchable clear-text copy of them.

A returning citizen without a receipt gives a name, a phone number, an ID number or a credit
code. Each case is indexed under keyed hashes (HMAC-SHA256 with a secret kept beside the
database, not in it) of those values in their normalised form, and a search text is turned into
the same hashes for every form it could be. So the index answers only exact questions ("is
13812345678 a complainant?") and a copy of the database alone does not reveal or enumerate who
complained.

Values are normalised with the validators the intake uses, so "138 1234 5678", "+86 138…",
full-width digits and a lower-case x find what the form stored.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from dnw_desk.domain.checks import compact
from dnw_desk.domain.phone import validate_phone

DIGEST_SIZE = hashlib.sha256().digest_size
CODE_LENGTH = 18  # resident IDs and unified social credit codes alike

# One prefix per kind, so that a name can never collide with a number of another kind.
NAME, PHONE, ID_NUMBER, CREDIT_CODE = "name", "phone", "id", "uscc"


def digest(secret: bytes, kind: str, value: str) -> bytes:
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).digest()


def case_values(
    *,
    name: str | None,
    phone: str | None,
    id_number: str | None,
    credit_code: str | None,
    contact_person: str | None = None,
) -> set[tuple[str, str]]:
    """What a case is found under, from its stored (already validated) complainant fields.

    An enterprise is also found by its contact person's name: that is who comes back.
    """
    values = {(NAME, n.strip()) for n in (name, contact_person) if n and n.strip()}
    if phone:
        values.add((PHONE, phone))
    if id_number:
        values.add((ID_NUMBER, compact(id_number)))
    if credit_code:
        values.add((CREDIT_CODE, compact(credit_code)))
    return values


def query_values(text: str) -> set[tuple[str, str]]:
    """Every complainant value a search text could mean (usually one or two)."""
    cleaned = text.strip()
    if not cleaned:
        return set()
    values = {(NAME, cleaned)}
    phone = validate_phone(cleaned)
    if phone.valid:
        values.add((PHONE, phone.normalized))
    code = compact(cleaned)
    if len(code) == CODE_LENGTH:
        # Both are 18 characters; the hash tells which (if either) it is.
        values.update({(ID_NUMBER, code), (CREDIT_CODE, code)})
    return values


def digests(secret: bytes, values: Iterable[tuple[str, str]]) -> list[bytes]:
    return sorted(digest(secret, kind, value) for kind, value in values)
