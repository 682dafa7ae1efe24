"""A desk's connection to its server, as every part of a sync round uses it: the HTTP client,
and the failures that become the status the status bar shows (nothing in sync raises on
network trouble beyond ``SyncFailure``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import httpx

from dnw_desk.clock import Clock
from dnw_desk.contract.wire import UNKNOWN_EVENT_TYPE
from dnw_desk.i18n import _
from dnw_desk.store.database import Database

StatusKind = Literal["not_enrolled", "synced", "pending", "offline", "error"]


class SyncFailure(Exception):
    def __init__(self, kind: StatusKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class ServerSession:
    db: Database
    clock: Clock
    http: httpx.Client

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise SyncFailure("offline", _("The server cannot be reached.")) from exc


def raise_for(response: httpx.Response) -> None:
    """Turn an error answer into the failure the status shows."""
    code = response.status_code
    if code < 400:
        return
    if code == 401:
        raise SyncFailure("error", _("The server refused this terminal's credential; enrol again."))
    if code == 403:
        raise SyncFailure("error", _("The server says this terminal may not send these cases."))
    if code in (408, 425, 429) or code >= 500:
        raise SyncFailure("offline", _("The server is not available right now."))
    if code == 422 and _names_unknown_event_type(response):
        raise SyncFailure(
            "error",
            _(
                "The server is older than this desk and does not know one of its steps: "
                "upgrade the server first. Nothing is lost: the steps wait in the outbox."
            ),
        )
    raise SyncFailure("error", _("The server refused the request ({status}).").format(status=code))


def _names_unknown_event_type(response: httpx.Response) -> bool:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return False
    return isinstance(detail, list) and any(
        isinstance(item, dict) and item.get("type") == UNKNOWN_EVENT_TYPE for item in detail
    )
