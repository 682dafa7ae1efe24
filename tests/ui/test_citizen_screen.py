"""The second screen facing the citizen: on the monitor that is not the clerk's, mirroring the
case as typed, then its number and a QR code that opens its status page; idle again on lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PIL import Image
from pyzbar.pyzbar import decode

from dnw_desk.services.citizen_view import mirror_lines

ROOT = Path(__file__).resolve().parents[2]
# Two virtual monitors for Qt's offscreen platform: the clerk's (primary) and the citizen's.
SCREENS = {
    "screens": [
        {"name": "DP-1", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96},
        {"name": "HDMI-1", "x": 1366, "y": 0, "width": 1280, "height": 1024, "logicalDpi": 96},
    ]
}


def _run_child(tmp_path: Path, **env: str) -> tuple[Path, dict[str, Any]]:
    """Run the desk with its citizen screen in a child (``tests.ui.citizen_child``) on the
    given platform; its output file and what it saw."""
    out = tmp_path / "citizen.json"
    child = subprocess.run(
        [sys.executable, "-m", "tests.ui.citizen_child", str(tmp_path / "data"), str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    return out, json.loads(out.read_text(encoding="utf-8"))


def test_mirror_lines_show_only_what_was_typed_in_reading_order() -> None:
    lines = mirror_lines({"phone": "139", "name": " 李四 ", "request": "", "category": "3"})
    assert lines == [("Name", "李四"), ("Phone", "139"), ("Category", "3")]


def test_the_citizen_screen_on_a_second_monitor(tmp_path: Path) -> None:
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(SCREENS), encoding="utf-8")
    out, seen = _run_child(tmp_path, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    assert seen["citizen_on"] == "HDMI-1"  # never on the clerk's screen
    assert seen["citizen_geometry"] == [1366, 0, 1280, 1024]  # full screen
    assert any("对办不成事" in text for text in seen["idle"])
    typing = " ".join(seen["typing"])
    assert "李四" in typing and "13912345678" in typing and "社保转移" in typing
    saved = " ".join(seen["saved"])
    assert "AH08-20261124-0001" in saved and "2026-11-25 17:30" in saved
    assert "李四" not in saved  # the number and deadline, not the typed form
    [code] = decode(Image.open(out.with_suffix(".png")))
    assert code.data.decode().startswith("http://127.0.0.1:8765/status/AH08-20261124-0001")
    assert seen["rating_asked"]  # the choice is not saved before the citizen submits it
    assert seen["rating"] == {
        "type": "rating",
        "satisfaction": "unsatisfied",
        "stage": "registration",
        "channel": "rating_device",
        "reason": "等候时间过长；窗口人少",
    }
    assert any("感谢" in text for text in seen["thanks"])
    assert any("已答复" in text for text in seen["asked_handling"])
    assert seen["handling_rating"] == {
        "status": "called_back",  # the citizen's own rating takes the callback's place
        "satisfaction": "very_satisfied",
        "stage": "feedback",
        "channel": "rating_device",
    }
    locked = " ".join(seen["locked"])
    assert "对办不成事" in locked and "AH08" not in locked


def test_the_citizen_screen_on_the_second_screen_of_a_real_x_server(tmp_path: Path) -> None:
    """Under Xvfb with two screens (the counter PC's two monitors), through Qt's xcb platform:
    the citizen window fills the second screen, never the clerk's."""
    import shutil
    import time

    import pytest

    if shutil.which("Xvfb") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Xvfb is required when CI=true")
        pytest.skip("Xvfb is not installed")
    display = 100 + os.getpid() % 100  # apart from other runs on the machine
    server = subprocess.Popen(
        [
            "Xvfb",
            f":{display}",
            *("-screen", "0", "1366x768x24"),
            *("-screen", "1", "1280x1024x24"),
            *("-nolisten", "tcp"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        socket = Path(f"/tmp/.X11-unix/X{display}")
        deadline = time.monotonic() + 20
        while not socket.exists() and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.05)
        out, seen = _run_child(tmp_path, QT_QPA_PLATFORM="xcb", DISPLAY=f":{display}")
    finally:
        server.terminate()
        server.wait(10)
    assert len(seen["screens"]) == 2
    assert seen["citizen_geometry"] == [0, 0, 1280, 1024]  # the second screen, whole
    assert any("对办不成事" in text for text in seen["idle"])
    assert "李四" in " ".join(seen["typing"])
    [code] = decode(Image.open(out.with_suffix(".png")))
    assert code.data.decode().startswith("http://127.0.0.1:8765/status/AH08-20261124-0001")
