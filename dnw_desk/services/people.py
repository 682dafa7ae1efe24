"""Who did something, in words: an actor as stored (``clerk:zhangsan``) as people read it
(窗口人员 张三 · 工号 C101) — the role by its name, never its key."""

from __future__ import annotations

from collections.abc import Mapping

from dnw_desk.domain.roles import ROLE_LABELS, Role
from dnw_desk.i18n import _

People = Mapping[str, tuple[str, str]]  # login → (display name, staff number)


def actor_label(audit_name: str, people: People | None = None) -> str:
    """``clerk:zhangsan`` as "窗口人员 张三 · 工号 C101": the role by its name, never its key,
    the person by name and staff number when the desk knows the account."""
    role, sep, login = audit_name.partition(":")
    if role == "system":  # a step the desk took by itself (a card, the retention purge)
        return _("This desk (automatic)")
    try:
        role_label = _(ROLE_LABELS[Role(role)])
    except ValueError:
        return audit_name
    if not sep:
        return audit_name
    known = (people or {}).get(login)
    if known is None:
        return f"{role_label} {login}"
    name, clerk_no = known
    return _("{role} {name} · no. {clerk_no}").format(
        role=role_label, name=name or login, clerk_no=clerk_no
    )
