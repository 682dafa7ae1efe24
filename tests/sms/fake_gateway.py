"""A fake SMS provider on 127.0.0.1 (real HTTP) that misbehaves on a script: a server error, an
answer that comes too late (the message was delivered all the same), a connection dropped after
delivery, a duplicate request answered again. It delivers each idempotency key once, as a
provider honouring ``OutId`` does, and counts every request."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeSmsProvider:
    def __init__(self, script: list[str], *, late_seconds: float = 1.0) -> None:
        self.script = list(script)  # one action per request, then "ok"
        self.late_seconds = late_seconds
        self.requests: Counter[str] = Counter()  # idempotency key → requests received
        self.delivered: dict[str, dict[str, Any]] = {}  # idempotency key → body, once
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms/send"

    def __enter__(self) -> FakeSmsProvider:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def take(self, key: str, body: dict[str, Any]) -> str:
        with self.lock:
            self.requests[key] += 1
            action = self.script.pop(0) if self.script else "ok"
            if action not in ("fail", "refuse"):
                self.delivered.setdefault(key, body)  # delivered once per key
            return action

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers["Idempotency-Key"]
                assert body["OutId"] == key
                action = provider.take(key, body)
                if action == "fail":
                    self._answer(500, {"Code": "ServiceUnavailable", "Message": "busy"})
                elif action == "refuse":
                    self._answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "bad"})
                elif action == "late":
                    time.sleep(provider.late_seconds)  # after the client's timeout
                    self._answer(200, {"Code": "OK", "BizId": f"biz-{key[:8]}"})
                elif action == "drop":
                    self.close_connection = True  # delivered, but no answer at all
                else:  # "ok" — also the answer to a duplicate of a delivered key
                    self._answer(200, {"Code": "OK", "BizId": f"biz-{key[:8]}"})

            def _answer(self, status: int, answer: dict[str, str]) -> None:
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

        return Handler
