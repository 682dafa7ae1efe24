"""Checks on the files a command is asked to write or read (shared by several commands)."""

from __future__ import annotations

from pathlib import Path

from dnw_desk.i18n import _

# Files people hand to a command (a token, a calendar override) are small; anything bigger is a
# mistake (or /dev/zero) and is refused before it fills the memory.
TOKEN_FILE_LIMIT = 4 * 1024


def missing_folder(out: Path) -> str | None:
    """Why ``out`` cannot be written: its folder does not exist (we never create it, so a typo
    in a path does not scatter new directories), or None."""
    folder = out.expanduser().parent
    if folder.is_dir():
        return None
    return _("The folder {folder} does not exist. Create it first, or choose another.").format(
        folder=folder
    )


def read_small_text(path: Path, limit: int) -> str:
    """The text of a small ASCII file; ValueError with a message that names the file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ValueError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    if len(data) > limit:
        raise ValueError(
            _("{path} is larger than {limit} bytes; this is not the right file.").format(
                path=path, limit=limit
            )
        )
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError(
            _("{path} is not a text file with a token in it.").format(path=path)
        ) from None
