"""The background text-message sender: one thread, a round every ``interval`` seconds (plan, then
send what is due); ``trigger()`` wakes it after a save. Never the GUI thread. The per-message
backoff is in the outbox rows, so the loop itself only waits."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from dnw_desk.services.sms import SmsService

log = logging.getLogger(__name__)


class SmsWorker:
    def __init__(
        self,
        make_service: Callable[[], SmsService],
        on_round: Callable[[], None] | None = None,
        *,
        interval: float = 20.0,
    ) -> None:
        self.make_service = make_service
        self.on_round = on_round
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="dnw-sms", daemon=True)
            self._thread.start()

    def trigger(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run_round(self) -> None:
        service = self.make_service()  # the settings as they are now (gateway, templates)
        try:
            service.plan_round()
            service.send_round()
        finally:
            service.gateway.close()
        if self.on_round is not None:
            self.on_round()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_round()
            except Exception:  # a broken database or gateway: log, try again next round
                log.exception("sms round failed")
            self._wake.wait(self.interval)
            self._wake.clear()
