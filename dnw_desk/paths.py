"""Where things live: bundled resources and the per-user data dir.

One helper for both so the frozen build (PyInstaller sets ``sys._MEIPASS``) and a source
checkout find the same files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "dnw-desk"
DATA_DIR_ENV = "DNW_DATA_DIR"


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def default_data_dir() -> Path:
    """The data dir: ``$DNW_DATA_DIR`` when set, else the platform's user data dir."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # ~6 ms of imports, and only needed without --data-dir/$DNW_DATA_DIR

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
