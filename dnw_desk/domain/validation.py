"""The validators (docs/rules.md#validation) in one place: import this module, not the parts.

Each ``validate_*`` returns a ``Check`` (``valid``, ``normalized``, ``message``, ``warnings``)
and never raises for bad input; ``Check.require()`` raises ``ValidationError`` for callers that
cannot go on.
"""

from __future__ import annotations

from dnw_desk.domain.checks import Check, Issue, ValidationError
from dnw_desk.domain.credit_code import validate_credit_code
from dnw_desk.domain.names import (
    ENTERPRISE_NAME_MAX,
    PERSON_NAME_MAX,
    validate_enterprise_name,
    validate_name,
    validate_person_name,
)
from dnw_desk.domain.phone import LineKind, PhoneCheck, validate_phone
from dnw_desk.domain.resident_id import IdKind, ResidentIdCheck, Sex, validate_resident_id

__all__ = [
    "ENTERPRISE_NAME_MAX",
    "PERSON_NAME_MAX",
    "Check",
    "IdKind",
    "Issue",
    "LineKind",
    "PhoneCheck",
    "ResidentIdCheck",
    "Sex",
    "ValidationError",
    "validate_credit_code",
    "validate_enterprise_name",
    "validate_name",
    "validate_person_name",
    "validate_phone",
    "validate_resident_id",
]
