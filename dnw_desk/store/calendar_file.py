"""The calendar override as a file in the data dir: reading it (capped), installing it atomically,
and the calendar a data dir's installed override gives (docs/rules.md#calendar).

The format and its validation are the domain's (``domain.calendar_override.parse_override``);
this module is the file I/O around them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dnw_desk.atomic_file import write_atomically
from dnw_desk.domain.calendar import WorkingCalendar
from dnw_desk.domain.calendar_override import CalendarOverride, OverrideError, parse_override
from dnw_desk.i18n import _

log = logging.getLogger(__name__)

OVERRIDE_FILENAME = "calendar-override.toml"

# A year's schedule is a few kilobytes; more is the wrong file (or /dev/zero), refused before
# it fills the memory.
MAX_OVERRIDE_BYTES = 1024 * 1024


def read_override(path: Path) -> CalendarOverride:
    return parse_override(_read_capped(path), str(path))


def _read_capped(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_OVERRIDE_BYTES + 1)
        if len(data) > MAX_OVERRIDE_BYTES:
            raise OverrideError(
                _("the file is larger than {limit} KB; a calendar override is a few KB").format(
                    limit=MAX_OVERRIDE_BYTES // 1024
                ),
                None,
                str(path),
            )
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OverrideError(
            _("cannot read the file: {reason}").format(reason=exc), None, str(path)
        ) from None


def installed_override_path(data_dir: Path) -> Path:
    return data_dir / OVERRIDE_FILENAME


def install_override(data_dir: Path, source_file: Path) -> CalendarOverride:
    """Validate ``source_file`` and install it atomically as the data dir's override.

    Nothing changes unless validation passes, and the installed file is replaced atomically.
    """
    text = _read_capped(source_file)  # read once: what is validated is what is installed
    override = parse_override(text, str(source_file))
    write_atomically(installed_override_path(data_dir), text.encode("utf-8"))
    return override


def load_calendar(data_dir: Path) -> WorkingCalendar:
    """The calendar with the data dir's installed override, if there is one.

    A broken installed file (edited by hand) does not stop the desk: the calendar runs without it
    and carries the error so the admin screen can show it.
    """
    path = installed_override_path(data_dir)
    if not path.exists():
        return WorkingCalendar()
    try:
        return WorkingCalendar(read_override(path))
    except OverrideError as exc:
        log.error("ignoring the installed calendar override: %s", exc)
        return WorkingCalendar(override_error=exc)
