"""The result type every validator returns, and the input clean-up they share.

Validators never raise for bad input: the form shows every field's problem at once, so each
returns a ``Check`` carrying the cleaned value, at most one error and any warnings. Services that
must not go on with a bad value call ``Check.require()``, which raises ``ValidationError``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dnw_desk.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with an input: a stable ``code`` for programs, a translated ``message``."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Check:
    """Outcome of validating one field.

    ``normalized`` is the cleaned input even when it is invalid, so a form can show what was
    checked; store it only when ``valid``.
    """

    normalized: str
    error: Issue | None = None
    warnings: tuple[Issue, ...] = ()

    @property
    def valid(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        """The error message, or ``""`` when the value is valid."""
        return self.error.message if self.error else ""

    def require(self) -> str:
        """The normalized value, or ``ValidationError`` when it is invalid."""
        if self.error is not None:
            raise ValidationError(self.error)
        return self.normalized


class ValidationError(DomainError):
    """A value failed validation; ``code`` says which rule, the text is the user message."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.code = issue.code
        self.issue = issue


# Separators people type inside numbers (and that copy-paste from Word or web pages brings in).
# NFKC already turns full-width digits, letters, ``－`` and the ideographic space into ASCII.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−]+")


def compact(text: str) -> str:
    """Full-width folded, separators removed, upper case: the shape codes are compared in."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def groups(text: str) -> list[str]:
    """The separator-delimited groups of ``text``, folded and upper-cased like ``compact``."""
    return [g for g in _SEPARATORS.split(unicodedata.normalize("NFKC", text).upper()) if g]


def printable(character: str) -> str:
    """A character as a message can show it: invisible ones as ``U+XXXX``."""
    if unicodedata.category(character)[0] in {"C", "Z"}:
        return f"U+{ord(character):04X}"
    return character
