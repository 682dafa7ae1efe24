"""The drills reuse the sync suite's live server and enrolled desk."""

from tests.sync.conftest import enrolled_desk, live_server, server_tokens

__all__ = ["enrolled_desk", "live_server", "server_tokens"]
