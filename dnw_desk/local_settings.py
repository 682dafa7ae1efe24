"""Device-local settings, declared once with types and defaults (docs/architecture.md#layers).

These belong to this PC, not to the hall, so they do not live in the database and never sync:
the printer address, window geometry, the large-font switch and the display language. Stored as
a small JSON file in the data dir, written atomically; unknown or mistyped keys fall back to
their defaults instead of stopping the desk.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from dnw_desk.i18n import DEFAULT_LANGUAGE, LANGUAGES

FILENAME = "local-settings.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalSettings:
    printer_uri: str = "preview"
    printer_profile: str = "80mm"  # see dnw_desk.printing.escpos_out.PROFILES
    language: str = DEFAULT_LANGUAGE
    large_font: bool = False
    geometry: str = ""  # QMainWindow.saveGeometry(), base64
    last_login: str = ""
    export_dir: str = ""  # the folder the last export went to ("" → the user's Documents)
    # The screen facing the citizen: "" = the first screen that is not the clerk's, "off" = none,
    # else a screen's name as the system reports it (e.g. "HDMI-1").
    citizen_screen: str = ""


def settings_path(data_dir: Path) -> Path:
    return data_dir / FILENAME


def load_local_settings(data_dir: Path) -> LocalSettings:
    path = settings_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LocalSettings()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path.name, exc)
        return LocalSettings()
    if not isinstance(raw, dict):
        return LocalSettings()
    defaults = LocalSettings()
    values: dict[str, Any] = {}
    for f in fields(LocalSettings):
        if f.name in raw and isinstance(raw[f.name], type(getattr(defaults, f.name))):
            values[f.name] = raw[f.name]
    result = replace(defaults, **values)
    if result.language not in LANGUAGES:
        result = replace(result, language=DEFAULT_LANGUAGE)
    return result


def save_local_settings(data_dir: Path, value: LocalSettings) -> None:
    # Imported here: tempfile & co. cost ~5 ms that the desk's start (which only reads) spares.
    from dnw_desk.atomic_file import write_atomically

    text = json.dumps(asdict(value), ensure_ascii=False, indent=2, sort_keys=True)
    write_atomically(settings_path(data_dir), text.encode("utf-8"))
