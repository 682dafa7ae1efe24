"""Staff roles (docs/rules.md#privacy) and what each may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from dnw_desk.i18n import N_


class Role(StrEnum):
    CLERK = "clerk"
    SHIFT_LEAD = "shift_lead"
    ADMIN = "admin"


ROLE_LABELS = {Role.CLERK: N_("Clerk"), Role.SHIFT_LEAD: N_("Shift lead"), Role.ADMIN: N_("Admin")}


class Permission(StrEnum):
    REGISTER = "register"
    HANDLE = "handle"  # record feedback, notes, callbacks
    GRANT_EXTENSION = "grant_extension"  # and decide a unit's extension request
    DECIDE_APPEAL = "decide_appeal"  # a unit's appeal (申诉) against a bad rating
    REVIEW = "review"  # the shift lead's review and ledger
    UNMASK = "unmask"
    ADMINISTER = "administer"  # settings, accounts, calendar, enrolment


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.REGISTER, Permission.HANDLE}),
    Role.SHIFT_LEAD: frozenset(
        {
            Permission.REGISTER,
            Permission.HANDLE,
            Permission.GRANT_EXTENSION,
            Permission.DECIDE_APPEAL,
            Permission.REVIEW,
            Permission.UNMASK,
        }
    ),
    # Separate duties: the admin configures the terminal but does not handle cases.
    Role.ADMIN: frozenset({Permission.ADMINISTER, Permission.REVIEW}),
}


def may(role: Role, permission: Permission) -> bool:
    return permission in _GRANTS[role]


@dataclass(frozen=True)
class Actor:
    """Who does something: the logged-in account."""

    login: str
    clerk_no: str
    role: Role
    # The person's name as the account has it (for the screen; records use ``audit_name``).
    display_name: str = field(default="", compare=False)

    @property
    def audit_name(self) -> str:
        return f"{self.role.value}:{self.login}"
