"""The status page in a real headless Chromium (Debian's ``chromium``), at a phone's size."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from dnw_desk.contract.wire import FEEDBACK_PATH, PUSH_PATH
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.server import credentials
from tests.factories import VALID_ID, desk_at, register
from tests.server.conftest import fresh_database
from tests.server.helpers import feedback, outbox_payloads, rgb_pixels
from tests.sync.conftest import LiveServer

PHONE = (390, 844)
HEADER_RED = (0xB3, 0x26, 0x1E)


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is required when CI=true")
        pytest.skip("chromium is not installed")
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    db = fresh_database("sqlite", tmp_path)
    live = LiveServer(db)
    live.start()
    yield live
    live.stop()
    db.dispose()


def screenshot(url: str, target: Path, profile: Path) -> None:
    command = [
        chromium_binary(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--screenshot={target}",
        f"--window-size={PHONE[0]},{PHONE[1]}",
        url,
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=90)


def test_status_page_renders_on_a_phone_without_personal_data(
    server: LiveServer, tmp_path: Path, data_dir: Path
) -> None:
    chromium_binary()
    now = datetime.now(UTC)
    with server.db.write() as conn:
        _terminal, token = credentials.add_terminal(conn, "AH", "08", now)
        _unit, unit = credentials.add_unit(conn, "省公安厅", now, halls=["AH"])
    desk, _clock = desk_at(data_dir)
    case = register(desk, id_number=VALID_ID, name="张𠮷祥").case
    with httpx.Client(base_url=server.url, timeout=10) as http:
        pushed = http.post(
            PUSH_PATH,
            json={"ops": outbox_payloads(desk)},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert pushed.status_code == 200
        answered = http.post(
            FEEDBACK_PATH, json=feedback(case.number), headers={"Authorization": f"Bearer {unit}"}
        )
        assert answered.status_code == 201
        url = f"{server.url}/status/{case.number}?code={case.verification_code}"
        html = http.get(url).text
    assert contains_unmasked_pii(html) == []
    assert "𠮷" not in html and "张" not in html

    shot = tmp_path / "status.png"
    screenshot(url, shot, tmp_path / "profile")
    image = Image.open(shot).convert("RGB")
    assert image.size == PHONE
    # The red header spans the top of the page, full width.
    header = [image.getpixel((x, 20)) for x in (5, PHONE[0] // 2, PHONE[0] - 5)]
    assert all(sum(abs(a - b) for a, b in zip(p, HEADER_RED, strict=True)) < 30 for p in header)
    # Below it, the cards carry text: plenty of dark pixels, not a blank or error page.
    body = image.crop((0, 120, PHONE[0], 700))
    dark = sum(1 for pixel in rgb_pixels(body) if sum(pixel) < 200)
    assert dark > 2000
    # The status pill (blue) is visible.
    blue = sum(1 for pixel in rgb_pixels(body) if pixel[2] > 150 and pixel[0] < 60)
    assert blue > 300
    (tmp_path / "keep").mkdir()
    shutil.copy(
        shot, Path(os.environ.get("DNW_SCREENSHOT_DIR", tmp_path / "keep")) / "status-page.png"
    )
    desk.close()


def submit(browser: Any) -> None:
    """Click the rating's button and wait for the answer page (the click does not wait)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    button = browser.find_element(By.CSS_SELECTOR, "form[action$='/rating'] button")
    button.click()

    def left_the_page(_browser: Any) -> bool:
        try:
            button.is_enabled()
        except WebDriverException:
            # Stale — or, while the old document is being replaced, chromedriver's "node does
            # not belong to the document": either way the form's page is gone.
            return True
        return False

    WebDriverWait(browser, 30).until(left_the_page)
    WebDriverWait(browser, 30).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )


def test_a_citizen_rates_the_answer_on_the_status_page_in_chromium(
    server: LiveServer, tmp_path: Path, data_dir: Path
) -> None:
    """一事一评 by touch in a real browser: choose a level, write a comment, submit; a second
    submission (the back button) is refused, and the desk's pull gets the rating once."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from dnw_desk.contract.wire import PULL_PATH

    chromium = chromium_binary()
    driver_path = shutil.which("chromedriver")
    if driver_path is None:
        pytest.skip("chromedriver is not installed")
    now = datetime.now(UTC)
    with server.db.write() as conn:
        _terminal, token = credentials.add_terminal(conn, "AH", "08", now)
        _unit, unit = credentials.add_unit(conn, "省公安厅", now, halls=["AH"])
    desk, _clock = desk_at(data_dir)
    case = register(desk, name="王小明").case
    with httpx.Client(base_url=server.url, timeout=10) as http:
        terminal_auth = {"Authorization": f"Bearer {token}"}
        http.post(PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=terminal_auth)
        for kind in ("opinion_given", "complainant_informed", "window_informed"):
            answer = http.post(
                FEEDBACK_PATH,
                json=feedback(case.number, kind),
                headers={"Authorization": f"Bearer {unit}"},
            )
            assert answer.status_code == 201, answer.text
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--window-size={PHONE[0]},{PHONE[1]}",
    ):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        browser.get(f"{server.url}/status/{case.number}?code={case.verification_code}")
        browser.find_element(By.CSS_SELECTOR, 'input[value="very_unsatisfied"]').click()
        browser.find_element(By.NAME, "comment").send_keys("答复不解决问题")
        shots = Path(os.environ.get("DNW_SCREENSHOT_DIR", tmp_path))
        browser.save_screenshot(str(shots / "status-rating.png"))
        submit(browser)
        assert "感谢您的评价" in browser.page_source
        browser.back()
        submit(browser)
        assert "不能评价" in browser.page_source  # once per case and round
        assert contains_unmasked_pii(browser.page_source) == []
    finally:
        browser.quit()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        pulled = http.get(PULL_PATH, headers=terminal_auth).json()
    ratings = [e["event"]["data"] for e in pulled["events"] if e["event"]["type"] == "rating"]
    assert ratings == [
        {
            "satisfaction": "very_unsatisfied",
            "stage": "feedback",
            "channel": "status_page",
            "comment": "答复不解决问题",
        }
    ]
    desk.close()
