"""Where the desk keeps its terminal token: the OS keyring where one works, else a file in the
data dir that only the user can read (0600, written atomically)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

KEYRING_SERVICE = "dnw-desk"
TOKEN_FILENAME = "sync-token"
STORE_ENV = "DNW_CREDENTIAL_STORE"  # "file" forces the file (tests, kiosks without a keyring)


def keyring_usable() -> bool:
    if os.environ.get(STORE_ENV, "").lower() == "file":
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # no backend importable: fall back to the file
        return False
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0


class CredentialStore:
    def __init__(self, data_dir: Path, *, use_keyring: bool | None = None) -> None:
        self.data_dir = data_dir
        self.use_keyring = keyring_usable() if use_keyring is None else use_keyring

    @property
    def _account(self) -> str:
        return str(self.data_dir.resolve())

    @property
    def file(self) -> Path:
        return self.data_dir / TOKEN_FILENAME

    def save(self, token: str) -> str:
        """Store the token; returns where it went ("keyring" or "file")."""
        if self.use_keyring:
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, self._account, token)
                with contextlib.suppress(FileNotFoundError):
                    self.file.unlink()
                return "keyring"
            except Exception:  # a locked or broken keyring: the file still works
                pass
        self._write_file(token)
        return "file"

    def load(self, location: str) -> str | None:
        if location == "keyring":
            try:
                import keyring

                return keyring.get_password(KEYRING_SERVICE, self._account)
            except Exception:
                return None
        try:
            return self.file.read_text(encoding="ascii").strip() or None
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.file.unlink()
        if self.use_keyring:
            try:
                import keyring

                keyring.delete_password(KEYRING_SERVICE, self._account)
            except Exception:
                pass

    def _write_file(self, token: str) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_suffix(".tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, token.encode("ascii"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.file)
