"""The hall's directory as the server keeps it: the desk reports the hall's name (for the
status page) and takes the hall's unit list with the server's ids (referrals carry them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import ValidationError

from dnw_desk.contract.wire import HALL_NAME_PATH, UNITS_PATH, HallUnits
from dnw_desk.i18n import _
from dnw_desk.services.settings import read_settings, with_server_units, write_settings
from dnw_desk.sync import state as sync_state
from dnw_desk.sync.session import ServerSession, SyncFailure, raise_for

UNITS_EVERY = timedelta(hours=1)


def refresh_units(session: ServerSession) -> bool:
    """Take the hall's unit list, with the server's ids, when the server keeps one: the
    intake then offers those units and referrals carry their ids. Asked for at most once an
    hour (a province's desks sync every 30 s). Whether it changed."""
    now = session.clock()
    with session.db.read() as conn:
        fetched = sync_state.get_value(conn, sync_state.UNITS_FETCHED)
    if fetched is not None and now - datetime.fromisoformat(fetched) < UNITS_EVERY:
        return False
    response = session.request("GET", UNITS_PATH)
    if response.status_code == 404:
        return False  # an older server: the embedded list stays (asked again next round)
    if response.status_code != 200:
        raise SyncFailure("error", _("The server refused the unit list."))
    try:
        listed = HallUnits.model_validate_json(response.content)
    except ValidationError:
        message = _("The server sent a unit list this desk cannot read.")
        raise SyncFailure("error", message) from None
    units = [(unit.name, unit.id) for unit in listed.units]
    with session.db.write() as conn:
        sync_state.set_value(conn, sync_state.UNITS_FETCHED, now.isoformat(), now)
        current = read_settings(conn)
        new = with_server_units(current, units)
        return write_settings(conn, new, actor="system:sync", now=now)


def report_hall_name(session: ServerSession) -> None:
    """Tell the server the hall's name for its status page, once per name."""
    with session.db.read() as conn:
        name = read_settings(conn).hall_name.strip()
        reported = sync_state.get_value(conn, sync_state.HALL_NAME_REPORTED)
    if not name or name == reported:
        return
    response = session.request("PUT", HALL_NAME_PATH, json={"name": name})
    if response.status_code in (404, 405):
        return  # a server from before hall names: try again after its upgrade
    raise_for(response)
    now = session.clock()
    with session.db.write() as conn:
        sync_state.set_value(conn, sync_state.HALL_NAME_REPORTED, name, now)
