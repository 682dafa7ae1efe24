"""The intake form's autosaved draft: what the clerk typed survives a crash (issue 5).

One JSON file in the data dir, replaced atomically on every autosave, so a kill at any moment
leaves the previous or the new draft, never a torn one. It is offered back at the next start and
deleted once the case is saved or the clerk clears the form. The draft holds personal data, so it
is written with owner-only permissions and removed as soon as it is not needed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from dnw_desk.atomic_file import write_atomically

FILENAME = "intake-draft.json"
FORMAT_VERSION = 1
log = logging.getLogger(__name__)


def draft_path(data_dir: Path) -> Path:
    return data_dir / FILENAME


def save_draft(data_dir: Path, fields: dict[str, Any], saved_at: datetime) -> None:
    payload = {"version": FORMAT_VERSION, "saved_at": saved_at.isoformat(), "fields": fields}
    path = draft_path(data_dir)
    write_atomically(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


def load_draft(data_dir: Path) -> tuple[dict[str, Any], datetime] | None:
    """The saved fields and when they were saved, or None when there is no usable draft."""
    path = draft_path(data_dir)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload.get("version") != FORMAT_VERSION or not isinstance(payload["fields"], dict):
            raise ValueError("unknown draft format")
        return payload["fields"], datetime.fromisoformat(payload["saved_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable draft: %s", exc)
        return None


def discard_draft(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        draft_path(data_dir).unlink()
