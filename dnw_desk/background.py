"""A background loop on its own daemon thread: started once, woken early with ``trigger()``,
stopped with ``stop()``. The sync and text-message workers run their rounds on it."""

from __future__ import annotations

import threading


class WakeableLoop:
    """Subclasses implement ``run()``, waiting between rounds with ``wait(seconds)``."""

    def __init__(self, thread_name: str) -> None:
        self.thread_name = thread_name
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)
            self._thread.start()

    def trigger(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait(self, seconds: float) -> None:
        """Until ``seconds`` pass, ``trigger()`` or ``stop()``."""
        self._wake.wait(seconds)
        self._wake.clear()
