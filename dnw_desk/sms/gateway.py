"""SMS gateways: "log only" (the default) and one HTTP adapter in the shape of the common
Chinese SMS APIs (a signature name, a template id and its parameters, an access key and an
HMAC-signed request, an out-id the provider echoes back).

Each message carries its idempotency key (``OutId`` and the ``Idempotency-Key`` header): a
provider that honours it drops a resend after a lost answer, which makes the desk's outbox send
each message exactly once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingSms:
    message_id: str  # the idempotency key
    phone: str  # E.164, as stored
    kind: str
    text: str  # the rendered text (for gateways that send text)
    params: Mapping[str, str]  # the template's parameters (for gateways that send template ids)


class SmsError(Exception):
    """A send that did not succeed; ``permanent``: retrying will not help (bad number,
    unknown template, refused credentials)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class SmsGateway(Protocol):
    name: str

    def send(self, message: OutgoingSms) -> str:
        """Send; returns the provider's reference, raises SmsError."""
        ...

    def close(self) -> None: ...


class LogGateway:
    """Sends nothing: logs that a message would have left (never the number or the text)."""

    name = "log"

    def send(self, message: OutgoingSms) -> str:
        log.info("sms (log only): %s message %s", message.kind, message.message_id)
        return f"log:{message.message_id}"

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class HttpGatewayConfig:
    url: str
    key_id: str
    secret: str
    signature: str  # 短信签名
    template_ids: Mapping[str, str]  # message kind → the provider's template id
    timeout: float = 10.0


def parse_template_ids(text: str) -> dict[str, str]:
    """ "registered=SMS_1, extended=SMS_2" → {"registered": "SMS_1", …}."""
    pairs = (part.split("=", 1) for part in text.replace("，", ",").split(",") if "=" in part)
    return {kind.strip(): value.strip() for kind, value in pairs if kind.strip() and value.strip()}


# The provider's answer codes that a retry will not change.
_PERMANENT_CODES = frozenset(
    {"isv.MOBILE_NUMBER_ILLEGAL", "isv.TEMPLATE_MISSING", "InvalidAccessKeyId", "Forbidden"}
)


class HttpGateway:
    name = "http"

    def __init__(self, config: HttpGatewayConfig, transport: httpx.BaseTransport | None = None):
        self.config = config
        self.client = httpx.Client(timeout=config.timeout, transport=transport)

    def body(self, message: OutgoingSms) -> dict[str, str]:
        template = self.config.template_ids.get(message.kind)
        if not template:
            raise SmsError(f"no template id for {message.kind}", permanent=True)
        return {
            "PhoneNumbers": message.phone.removeprefix("+86"),
            "SignName": self.config.signature,
            "TemplateCode": template,
            "TemplateParam": json.dumps(dict(message.params), ensure_ascii=False),
            "OutId": message.message_id,
        }

    def headers(self, payload: bytes, message_id: str) -> dict[str, str]:
        stamp = str(int(time.time()))
        digest = hmac.new(
            self.config.secret.encode(), stamp.encode() + b"\n" + payload, hashlib.sha256
        ).hexdigest()
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-Access-Key-Id": self.config.key_id,
            "X-Timestamp": stamp,
            "X-Signature": digest,
            "Idempotency-Key": message_id,
        }

    def send(self, message: OutgoingSms) -> str:
        payload = json.dumps(self.body(message), ensure_ascii=False).encode()
        try:
            response = self.client.post(
                self.config.url, content=payload, headers=self.headers(payload, message.message_id)
            )
        except httpx.TimeoutException:
            raise SmsError("timeout") from None
        except httpx.HTTPError as exc:
            raise SmsError(f"network: {exc.__class__.__name__}") from None
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> str:
        if response.status_code >= 500 or response.status_code == 429:
            raise SmsError(f"HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise SmsError(f"HTTP {response.status_code}: not JSON") from None
        code = str(answer.get("Code", "")) if isinstance(answer, dict) else ""
        if response.status_code == 200 and code == "OK":
            return str(answer.get("BizId", ""))
        reason = f"{code or 'HTTP ' + str(response.status_code)}: {answer.get('Message', '')}"
        permanent = code in _PERMANENT_CODES or response.status_code in (400, 401, 403)
        raise SmsError(reason.strip(), permanent=permanent)

    def close(self) -> None:
        self.client.close()
