"""The whole loop in a real headless Chromium (the distribution's, through chromedriver): a desk
registers and refers a case and syncs; the unit's liaison logs in, signs, answers and records
the complainant informed; the desk pulls and the case is fed back on time; the office sees it on
its dashboard. Every page is shot at 1366×768 and 390×844 (``DNW_SCREENSHOT_DIR`` keeps them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import Status
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.services.desk import Desk
from dnw_desk.store import cases_repo
from dnw_desk.sync.client import SyncClient
from dnw_desk.sync.credentials import CredentialStore
from dnw_desk.sync.enrolment import enrol
from tests.factories import desk_at, register
from tests.server.helpers import rgb_pixels, without_form_secrets
from tests.server.portal.conftest import PASSWORD, add_people
from tests.sync.conftest import LiveServer, Tokens

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def _driver_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium and chromium-driver are required when CI=true")
        pytest.skip("chromium or chromedriver is not installed")
    return chromium, driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = _driver_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--lang=zh-CN",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


class Shots:
    def __init__(self, driver: object, folder: Path) -> None:
        self.driver = driver
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, name: str) -> None:
        """The current page at both sizes; each must show text and no personal data."""
        driver = self.driver
        source = driver.page_source  # type: ignore[attr-defined]
        assert contains_unmasked_pii(without_form_secrets(source)) == [], name
        for label, (width, height) in SIZES.items():
            driver.set_window_size(width, height)  # type: ignore[attr-defined]
            driver.execute_cdp_cmd(  # type: ignore[attr-defined]
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            target = self.folder / f"portal-{name}-{label}.png"
            driver.save_screenshot(str(target))  # type: ignore[attr-defined]
            image = Image.open(target).convert("RGB")
            assert image.size == (width, height), (name, label, image.size)
            dark = sum(1 for pixel in rgb_pixels(image) if sum(pixel) < 200)
            assert dark > 500, (name, label)
            # Nothing wider than the window: no horizontal scrolling on a phone.
            scroll = driver.execute_script(  # type: ignore[attr-defined]
                "return document.documentElement.scrollWidth"
            )
            assert scroll <= width, (name, label, scroll)
            if width <= 640:  # a table shown as cards: a figure sits by its label, not far right
                aligned = driver.execute_script(  # type: ignore[attr-defined]
                    "return [...document.querySelectorAll('table.cards td.num')]"
                    ".map(cell => getComputedStyle(cell).textAlign)"
                )
                assert "right" not in aligned, (name, label, aligned)


def _fill(driver: object, field_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.ID, field_id)  # type: ignore[attr-defined]
    element.clear()
    element.send_keys(text)


def _click_and_wait(driver: object, button: object) -> None:
    """Click and wait for the next page to have loaded (bounded: 20 s). The old page is marked
    first; while the new one loads, the driver may answer with errors, which are waited out."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__dnwOldPage = true")  # type: ignore[attr-defined]
    button.click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(  # type: ignore[attr-defined]
            "return window.__dnwOldPage !== true && document.readyState === 'complete'"
        )
    )


def _submit_step(driver: object, kind: str) -> None:
    from selenium.webdriver.common.by import By

    form = driver.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, f"form[action$='/steps/{kind}']"
    )
    _click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    from selenium.webdriver.support.ui import WebDriverWait

    found = WebDriverWait(driver, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "p.notice, p.error")  # type: ignore[attr-defined]
    )
    assert found[0].get_attribute("class") == "notice", found[0].text


def _login(driver: object, server: LiveServer, login: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(server.url + "/portal/login")  # type: ignore[attr-defined]
    _fill(driver, "login", login)
    _fill(driver, "password", PASSWORD)
    _click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit]"))  # type: ignore[attr-defined]


@pytest.fixture
def desk_now(data_dir: Path, live_server: LiveServer, server_tokens: Tokens) -> Iterator[Desk]:
    """A desk enrolled with the live server whose clock is the server's (real) time, so the
    unit's steps fall inside the case's clock."""
    desk, _clock = desk_at(data_dir, datetime.now(HALL_TZ))
    store = CredentialStore(data_dir, use_keyring=False)
    enrol(
        desk.db,
        data_dir,
        live_server.url,
        server_tokens.terminal,
        hall="AH",
        window="08",
        store=store,
    )
    yield desk
    desk.close()


def test_the_loop_through_the_portal_in_chromium(
    browser: object,
    desk_now: Desk,
    live_server: LiveServer,
    server_tokens: Tokens,
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    shots = Shots(driver, Path(os.environ.get("DNW_SCREENSHOT_DIR", tmp_path / "shots")))
    add_people(live_server.db, datetime.now(UTC))
    desk = desk_now
    month = f"{datetime.now(HALL_TZ):%Y-%m}"
    number = str(register(desk).case.number)
    client = SyncClient(desk.db, live_server.url, server_tokens.terminal, clock=desk.clock)
    try:
        assert client.sync_once().status.state == "synced"

        _login(driver, live_server, "liaison")
        assert driver.current_url.endswith("/portal/queue")  # type: ignore[attr-defined]
        assert number in driver.page_source  # type: ignore[attr-defined]
        shots.take("queue")
        _click_and_wait(driver, driver.find_element(By.LINK_TEXT, number))  # type: ignore[attr-defined]
        shots.take("case")
        _submit_step(driver, "unit_accepted")
        _fill(driver, "opinion_given-text", "已协调办理，当日办结")
        _submit_step(driver, "opinion_given")
        _submit_step(driver, "complainant_informed")
        shots.take("case-answered")

        # Another unit's liaison: the case is not there.
        driver.delete_all_cookies()  # type: ignore[attr-defined]
        _login(driver, live_server, "elsewhere")
        assert number not in driver.page_source  # type: ignore[attr-defined]
        driver.get(f"{live_server.url}/portal/cases/{number}")  # type: ignore[attr-defined]
        assert number not in driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]

        assert client.sync_once().status.state == "synced"
        with desk.db.read() as conn:
            case = cases_repo.get_case_by_number(conn, number)
        assert case is not None
        assert case.status == Status.FED_BACK and case.on_time is True

        driver.delete_all_cookies()  # type: ignore[attr-defined]
        _login(driver, live_server, "office")
        assert "/portal/office" in driver.current_url  # type: ignore[attr-defined]
        driver.get(f"{live_server.url}/portal/office?month={month}")  # type: ignore[attr-defined]
        assert "省公安厅" in driver.page_source  # type: ignore[attr-defined]
        shots.take("office")
        driver.get(  # type: ignore[attr-defined]
            f"{live_server.url}/portal/office/cases?month={month}&hall=AH&unit=省公安厅"
        )
        assert number in driver.page_source  # type: ignore[attr-defined]
        shots.take("office-cases")
        driver.delete_all_cookies()  # type: ignore[attr-defined]
        driver.get(live_server.url + "/portal/login")  # type: ignore[attr-defined]
        shots.take("login")
    finally:
        client.close()
