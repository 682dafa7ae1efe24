"""The efficiency office's figures: the server's per-unit figures equal the desks' own bulletins
summed (three terminals in two halls, over real HTTP on SQLite and PostgreSQL); the dashboard,
the bulletin files and the JSON for the provincial platform."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from dnw_desk.clock import HALL_TZ
from dnw_desk.contract.wire import FEEDBACK_PATH
from dnw_desk.domain.unit_figures import UnitFigures
from dnw_desk.server import credentials
from dnw_desk.server.office_reports import office_figures
from dnw_desk.services.desk import Desk
from dnw_desk.services.review import review_for
from dnw_desk.services.settings import load_settings, save_settings
from dnw_desk.sync.client import SyncClient
from dnw_desk.sync.credentials import CredentialStore
from dnw_desk.sync.enrolment import enrol
from tests.factories import desk_at, register
from tests.server.conftest import UNIT
from tests.server.helpers import feedback
from tests.server.portal.conftest import Portal
from tests.sync.conftest import LiveServer

MONTH = date(2026, 11, 1)
LATER = datetime(2026, 11, 27, 10, 0, tzinfo=HALL_TZ)  # after every deadline of the 24th
COUNTED = [f.name for f in fields(UnitFigures) if f.type in ("int", int)]


def _desk(tmp_path: Path, hall: str, window: str) -> tuple[Desk, object]:
    desk, clock = desk_at(tmp_path / f"{hall}{window}")
    settings = replace(load_settings(desk.db), hall_code=hall, window_no=window)
    save_settings(desk.db, settings, actor="admin:test", now=desk.clock())
    desk.reload()
    return desk, clock


def _post(server: LiveServer, token: str, body: dict[str, object]) -> None:
    sent = httpx.post(
        server.url + FEEDBACK_PATH, json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert sent.status_code == 201, sent.text


def _summed(bulletins: list[list[UnitFigures]]) -> dict[str, Counter[str]]:
    total: dict[str, Counter[str]] = {}
    for units in bulletins:
        for unit in units:
            counts = total.setdefault(unit.unit, Counter())
            for name in COUNTED:
                counts[name] += getattr(unit, name)
    return total


def test_the_servers_figures_equal_the_desks_bulletins_summed(
    live_server: LiveServer, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    desks = {key: _desk(tmp_path, *key) for key in (("AH", "08"), ("AH", "09"), ("HF", "03"))}
    unit_tokens: dict[str, str] = {}
    with live_server.db.write() as conn:
        terminal_tokens = {key: credentials.add_terminal(conn, *key, now)[1] for key in desks}
        for hall in ("AH", "HF"):
            unit_tokens[hall] = credentials.add_unit(conn, UNIT, now, halls=[hall])[1]
    numbers: dict[tuple[str, str], list[str]] = {}
    for key, (desk, _clock) in desks.items():
        numbers[key] = [str(register(desk).case.number) for _ in range(3)]
        numbers[key].append(str(register(desk, lead_unit="省教育厅").case.number))
    for key, (desk, _clock) in desks.items():
        store = CredentialStore(tmp_path / f"{key[0]}{key[1]}", use_keyring=False)
        hall, window = key
        enrol(
            desk.db,
            store.data_dir,
            live_server.url,
            terminal_tokens[key],
            hall=hall,
            window=window,
            store=store,
        )
    clients = {
        key: SyncClient(desk.db, live_server.url, terminal_tokens[key], clock=desk.clock)
        for key, (desk, _clock) in desks.items()
    }
    try:
        for client in clients.values():
            assert client.sync_once().status.state == "synced"
        # AH's 省公安厅 answers one case of each AH window on time and returns another late;
        # HF's does nothing (its cases fall overdue).
        for key in (("AH", "08"), ("AH", "09")):
            first, second = numbers[key][0], numbers[key][1]
            for kind, extra in (
                ("unit_accepted", {}),
                ("opinion_given", {}),
                ("complainant_informed", {}),
                ("window_informed", {"channel": "portal"}),
            ):
                _post(live_server, unit_tokens["AH"], feedback(first, kind, **extra))
            late = {"at": "2026-11-26T10:00:00+08:00"}
            _post(live_server, unit_tokens["AH"], feedback(second, "unit_returned", **late))
        for key, (_unused, clock) in desks.items():
            clock.now = LATER  # type: ignore[attr-defined]
            assert clients[key].sync_once().status.state == "synced"
        desk_figures = {
            hall: _summed(
                [
                    list(review_for(desk).unit_bulletin(MONTH).units)
                    for key, (desk, _c) in desks.items()
                    if key[0] == hall
                ]
            )
            for hall in ("AH", "HF")
        }
        with live_server.db.read() as conn:
            server = office_figures(conn, MONTH, LATER, None)
    finally:
        for client in clients.values():
            client.close()
        for desk, _clock in desks.values():
            desk.close()
    assert set(server.bulletins) == {"AH", "HF"}
    for hall, bulletin in server.bulletins.items():
        assert _summed([list(bulletin.units)]) == desk_figures[hall], hall
    ah = {u.unit: u for u in server.bulletins["AH"].units}
    assert (ah[UNIT].fed_back, ah[UNIT].on_time, ah[UNIT].late_returns) == (2, 2, 2)
    hf = {u.unit: u for u in server.bulletins["HF"].units}
    assert hf[UNIT].overdue == 3


def test_the_dashboard_the_bulletin_files_and_the_json_for_the_platform(portal: Portal) -> None:
    portal.clock.advance(timedelta(days=3))  # the case is overdue by now
    portal.login("office")
    page = portal.client.get("/portal/office?month=2026-11")
    assert page.status_code == 200
    assert UNIT in page.text and "AH" in page.text
    drill = portal.client.get(f"/portal/office/cases?month=2026-11&hall=AH&unit={UNIT}")
    assert portal.number in drill.text
    pdf = portal.client.get("/portal/office/bulletin.pdf?month=2026-11")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = portal.client.get("/portal/office/bulletin.xlsx?month=2026-11&hall=AH")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any(UNIT in str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert portal.client.get("/portal/office?month=2026-13").status_code == 422
    portal.logout()
    api = portal.client.get(
        "/api/v1/reports/units?month=2026-11",
        headers={"Authorization": f"Bearer {portal.office_token}"},
    )
    assert api.status_code == 200
    [unit] = [u for u in api.json()["units"] if u["unit"] == UNIT]
    assert (unit["hall"], unit["referrals"], unit["overdue"]) == ("AH", 1, 1)
    refused = portal.client.get(
        "/api/v1/reports/units?month=2026-11",
        headers={"Authorization": f"Bearer {portal.unit_token}"},
    )
    assert refused.status_code == 401
    assert portal.client.get("/api/v1/reports/units?month=2026-11").status_code == 401


def test_a_units_drill_down_lists_the_case_it_returned(portal: Portal) -> None:
    """The dashboard counts the unit's referral and return; its list of cases shows the case
    too (a return clears the lead unit until the window decides)."""
    portal.login("liaison")
    path = f"/portal/cases/{portal.number}"
    returned = portal.client.post(
        f"{path}/steps/unit_returned",
        data={"csrf": portal.csrf(path), "reason": "不属于本单位职责"},
        follow_redirects=False,
    )
    assert returned.status_code == 303
    portal.logout()
    portal.login("office")
    drill = portal.client.get(f"/portal/office/cases?month=2026-11&hall=AH&unit={UNIT}")
    assert portal.number in drill.text
    portal.logout()
    portal.login("office")
    other = portal.client.get("/portal/office/cases?month=2026-11&hall=AH&unit=省教育厅")
    assert portal.number not in other.text


def test_an_office_login_of_one_hall_sees_only_that_hall(portal: Portal) -> None:
    portal.clock.advance(timedelta(days=3))
    portal.login("office-hf")
    page = portal.client.get("/portal/office?month=2026-11")
    assert page.status_code == 200 and UNIT not in page.text
    assert portal.client.get("/portal/office?month=2026-11&hall=AH").status_code == 403
    assert (
        portal.client.get(f"/portal/office/cases?month=2026-11&hall=AH&unit={UNIT}").status_code
        == 403
    )


@pytest.mark.parametrize("month", ["2026-1", "november", "2026-00"])
def test_the_api_refuses_a_month_it_cannot_read(portal: Portal, month: str) -> None:
    answer = portal.client.get(
        f"/api/v1/reports/units?month={month}",
        headers={"Authorization": f"Bearer {portal.office_token}"},
    )
    assert answer.status_code == 422


def test_the_bulletin_is_stamped_in_hall_time(portal: Portal) -> None:
    """The server's clock is UTC: the PDF said 打印于 03:32 at 11:32 in the hall."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    portal.clock.now = datetime(2026, 11, 27, 3, 32, tzinfo=UTC)
    portal.login("office")
    for month in ("2026-11", "2026-06"):  # a month with referrals, and one without
        pdf = portal.client.get(f"/portal/office/bulletin.pdf?month={month}")
        assert pdf.status_code == 200
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert "2026-11-27 11:32" in text, (month, text)
