"""The background text-message sender: one thread, a round every ``interval`` seconds (plan, then
send what is due); ``trigger()`` wakes it after a save. Never the GUI thread. The per-message
backoff is in the outbox rows, so the loop itself only waits."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dnw_desk.background import WakeableLoop
from dnw_desk.services.sms import SmsService

log = logging.getLogger(__name__)


class SmsWorker(WakeableLoop):
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
        super().__init__("dnw-sms")

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
        while not self.stopping:
            try:
                self.run_round()
            except Exception:  # a broken database or gateway: log, try again next round
                log.exception("sms round failed")
            self.wait(self.interval)
