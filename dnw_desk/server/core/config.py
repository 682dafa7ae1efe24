"""Server settings from the environment (``DNW_*``), declared once with types and defaults."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVER_APP_NAME = "dnw-server"
DATA_DIR_ENV = "DNW_SERVER_DATA_DIR"
SQLITE_FILENAME = "dnw-server.sqlite3"


def default_data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(SERVER_APP_NAME, appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DNW_", extra="ignore")

    # postgresql+psycopg://user:pass@host/db, or sqlite:///path; empty: SQLite in the data dir.
    database_url: str = ""
    server_data_dir: Path = Field(default_factory=default_data_dir)
    max_body_bytes: int = 2 * 1024 * 1024
    # Status page: requests per client per minute, and the burst allowed at once.
    status_rate_per_minute: float = 30.0
    status_burst: int = 10
    # Wrong verification codes a case number takes before it is locked (from any address); it
    # is fully open again after the lockout period.
    status_case_failures: int = 10
    status_case_lockout_minutes: float = 60.0
    # Fernet key(s) for the personal data at rest, comma-separated (the first encrypts); empty:
    # the data.key file `dnw-server init` writes in the data dir.
    data_key: str = ""
    # The Ed25519 key that signs calendar releases (raw 32 bytes, base64); empty: the
    # calendar-signing.key file in the data dir (written by init, or on first use).
    calendar_key: str = ""
    # Personal data is erased this many days after a case closed; the purge runs every
    # purge_interval_hours in each server process (0: only `dnw-server privacy purge`).
    retention_days: int = 365
    purge_interval_hours: float = 24.0

    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.server_data_dir / SQLITE_FILENAME}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names (or none)."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
