"""The drills reuse the sync suite's live server and the printing suite's fake printer."""

from tests.printing.conftest import fake_printer, gui_app
from tests.sync.conftest import enrolled_desk, live_server, server_tokens

__all__ = ["enrolled_desk", "fake_printer", "gui_app", "live_server", "server_tokens"]
