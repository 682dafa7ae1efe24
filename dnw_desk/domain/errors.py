"""Errors raised by domain rules. Messages are user-facing (already translated)."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule of the domain refused an input or a step."""


class WorkflowError(DomainError):
    """An event that the case's current status does not allow."""


class FieldErrors(DomainError):
    """Several fields of a form are wrong; ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
