"""The data dir's secret for the complainant search index (see domain.complainant_search).

It lives in its own file beside the database, readable by the desk's user only, so a copy of
the database (a backup, a file sent to support) carries the hashes but not the key to test
guesses against them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_FILE = "search.key"
SECRET_BYTES = 32


def load_or_create_secret(data_dir: Path) -> bytes:
    path = data_dir / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    partial = path.with_name(f"{SECRET_FILE}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, secrets.token_bytes(SECRET_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() never replaces: if another process created the file meanwhile, its key wins.
        os.link(partial, path)
    except FileExistsError:
        pass
    finally:
        partial.unlink()
    return path.read_bytes()
